"""Every format of the summary, each drawn from the one Summary so all say the same."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy

from workshops.spreadsheet import csv_text

from .chart import support_chart_svg
from .summary import Summary

SCHEMA = "samskab.summary/1"
# The documents list the best-supported items not carried forward; the CSV and JSON list all.
NOT_CARRIED_SHOWN = 15


def votes_from_supporters(votes: int, supporters: int, *, distinct: bool = True) -> str:
    """ "12 votes from 5 distinct supporters", each number with its own plural form."""
    if distinct:
        who = ngettext(
            "%(counter)s distinct supporter", "%(counter)s distinct supporters", supporters
        )
    else:
        who = ngettext("%(counter)s supporter", "%(counter)s supporters", supporters)
    return _("%(votes_phrase)s from %(supporters_phrase)s") % {
        "votes_phrase": _votes(votes),
        "supporters_phrase": who % {"counter": supporters},
    }


def _votes(votes: int) -> str:
    return ngettext("%(counter)s vote", "%(counter)s votes", votes) % {"counter": votes}


def _votes_and_supporters(votes: int, supporters: int) -> str:
    return _("%(votes_phrase)s, %(supporters_phrase)s") % {
        "votes_phrase": _votes(votes),
        "supporters_phrase": ngettext("%(counter)s supporter", "%(counter)s supporters", supporters)
        % {"counter": supporters},
    }


def _more_in_raw_data(more: int) -> str:
    return ngettext(
        "… and %(count)s more in the raw data.", "… and %(count)s more in the raw data.", more
    ) % {"count": more}


def status_note(summary: Summary) -> str:
    """Says when the summary was taken, and that it may still change if the room is open."""
    when = formats.date_format(summary.taken_at, "DATETIME_FORMAT")
    if summary.final:
        return _("Taken on %(when)s, after the workshop closed.") % {"when": when}
    return _(
        "Taken on %(when)s, during the workshop (phase: %(phase)s). The figures may still change."
    ) % {"when": when, "phase": summary.phase_label}


def document_context(summary: Summary, **extra: Any) -> dict[str, Any]:
    with translation.override(summary.language):
        return {
            "summary": summary,
            "note": status_note(summary),
            "chart": mark_safe(support_chart_svg(summary)),  # noqa: S308 - every text in it is escaped
            "clusters_not_carried": summary.clusters_not_carried[:NOT_CARRIED_SHOWN],
            "clusters_more": max(len(summary.clusters_not_carried) - NOT_CARRIED_SHOWN, 0),
            "ideas_not_carried": summary.ideas_not_carried[:NOT_CARRIED_SHOWN],
            "ideas_more": max(len(summary.ideas_not_carried) - NOT_CARRIED_SHOWN, 0),
            **extra,
        }


def summary_html(summary: Summary, **extra: Any) -> str:
    with translation.override(summary.language):
        return render_to_string("summaries/summary.html", document_context(summary, **extra))


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # The document is self-contained; a PDF must never reach out for anything.
    raise ValueError(f"not fetched: {url[:60]}")


def summary_pdf(summary: Summary) -> bytes:
    """The summary as a tagged PDF (PDF/UA-1), as public bodies must publish documents.

    The variant tags headings, lists, tables and the chart for screen readers, and sets
    the document's title (shown by the viewer instead of the file name) and language
    from the page's <title> and <html lang>.
    """
    from weasyprint import CSS, HTML

    html = summary_html(summary, print_mode=True)
    stylesheet = finders.find("summaries/summary.css")
    return HTML(string=html, url_fetcher=_no_fetching).write_pdf(
        stylesheets=[CSS(filename=stylesheet)] if stylesheet else None,
        pdf_variant="pdf/ua-1",
    )


def summary_docx(summary: Summary) -> bytes:
    from docx import Document
    from docx.shared import Pt

    with translation.override(summary.language):
        document = Document()
        document.core_properties.title = summary.title
        document.core_properties.language = summary.language
        document.styles["Normal"].font.size = Pt(11)
        document.add_heading(summary.title, level=0)
        document.add_paragraph(summary.question).runs[0].bold = True
        if summary.context:
            document.add_paragraph(summary.context)
        document.add_paragraph(status_note(summary)).runs[0].italic = True

        document.add_heading(_("Value propositions, ranked by support"), level=1)
        if not summary.propositions:
            document.add_paragraph(_("No value propositions have been written yet."))
        for proposition in summary.propositions:
            document.add_heading(f"{proposition.rank}. {proposition.title}", level=2)
            document.add_paragraph(votes_from_supporters(proposition.votes, proposition.supporters))
            for part in proposition.parts:
                paragraph = document.add_paragraph()
                paragraph.add_run(f"{part.label}: ").bold = True
                paragraph.add_run(part.text or "—")
            if proposition.quotes:
                document.add_paragraph(_("In the citizens' own words:")).runs[0].bold = True
                for quote in proposition.quotes:
                    text = f"“{quote.text}”" + (f" — {quote.author}" if quote.author else "")
                    document.add_paragraph(text, style="List Bullet").runs[0].italic = True
            if proposition.tags:
                document.add_paragraph(_("Tags: %s") % ", ".join(proposition.tags))

        document.add_heading(_("Support"), level=1)
        table = document.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        header = table.rows[0].cells
        header[0].text, header[1].text, header[2].text = (
            _("Item"),
            _("Votes"),
            _("Supporters"),
        )
        for proposition in summary.propositions:
            cells = table.add_row().cells
            cells[0].text = f"{proposition.rank}. {proposition.title}"
            cells[1].text, cells[2].text = str(proposition.votes), str(proposition.supporters)

        document.add_heading(_("Not carried forward"), level=1)
        context = document_context(summary)
        for item in [*context["clusters_not_carried"], *context["ideas_not_carried"]]:
            document.add_paragraph(
                f"{item.label} ({_votes_and_supporters(item.votes, item.supporters)})",
                style="List Bullet",
            )
        more = context["clusters_more"] + context["ideas_more"]
        if more:
            document.add_paragraph(_more_in_raw_data(more))

        document.add_heading(_("How the workshop was run"), level=1)
        for line in _method_lines(summary):
            document.add_paragraph(line, style="List Bullet")
        document.add_heading(_("Participation"), level=1)
        for line in _participation_lines(summary):
            document.add_paragraph(line, style="List Bullet")
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()


def _method_lines(summary: Summary) -> list[str]:
    voting = summary.voting
    return [
        _("Phases: %s") % ", ".join(label for _phase, label in summary.phases_run),
        _("Voting: %(method)s on %(target)s")
        % {"method": voting["method_label"], "target": voting["target_label"].lower()},
        _("Moderation: %s") % summary.moderation["label"],
        *(f"{note['label']}: {note['text']}" for note in summary.method_notes),
    ]


def _participation_lines(summary: Summary) -> list[str]:
    figures = summary.participation
    return [
        ngettext("%(count)s participant", "%(count)s participants", figures["participants"])
        % {"count": figures["participants"]},
        ngettext("%(count)s idea", "%(count)s ideas", figures["ideas"])
        % {"count": figures["ideas"]},
        _("%(votes_phrase)s from %(voters_phrase)s")
        % {
            "votes_phrase": _votes(figures["votes"]),
            "voters_phrase": ngettext(
                "%(counter)s distinct voter",
                "%(counter)s distinct voters",
                figures["distinct_voters"],
            )
            % {"counter": figures["distinct_voters"]},
        },
        ngettext(
            "%(held)s idea held and %(hidden)s hidden by moderation",
            "%(held)s ideas held and %(hidden)s hidden by moderation",
            figures["held"],
        )
        % {"held": figures["held"], "hidden": figures["hidden"]},
    ]


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~])")


def md(text: str) -> str:
    """Text as Markdown shows it: every character that could format or link is escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def summary_markdown(summary: Summary) -> str:
    with translation.override(summary.language):
        lines = [f"# {md(summary.title)}", "", f"**{md(summary.question)}**", ""]
        if summary.context:
            lines += [md(summary.context), ""]
        lines += [f"_{md(status_note(summary))}_", ""]
        lines += [f"## {md(_('Value propositions, ranked by support'))}", ""]
        if not summary.propositions:
            lines += [md(_("No value propositions have been written yet.")), ""]
        for proposition in summary.propositions:
            lines += [
                f"### {proposition.rank}\\. {md(proposition.title)}",
                "",
                md(votes_from_supporters(proposition.votes, proposition.supporters)),
                "",
            ]
            lines += [
                f"- **{md(part.label)}:** {md(part.text) or '—'}" for part in proposition.parts
            ]
            lines.append("")
            if proposition.quotes:
                own_words = md(_("In the citizens' own words:"))
                lines += [f"**{own_words}**", ""]
                for quote in proposition.quotes:
                    author = f" — {md(quote.author)}" if quote.author else ""
                    lines.append(f"> “{md(quote.text)}”{author}")
                    lines.append(">")
                lines[-1] = ""
            if proposition.tags:
                lines += [md(_("Tags: %s") % ", ".join(proposition.tags)), ""]
        lines += [
            f"## {md(_('Support'))}",
            "",
            f"| {_('Item')} | {_('Votes')} | {_('Supporters')} |",
        ]
        lines.append("| --- | ---: | ---: |")
        for proposition in summary.propositions:
            lines.append(
                f"| {proposition.rank}\\. {md(proposition.title)} | {proposition.votes} "
                f"| {proposition.supporters} |"
            )
        context = document_context(summary)
        lines += ["", f"## {md(_('Not carried forward'))}", ""]
        for item in [*context["clusters_not_carried"], *context["ideas_not_carried"]]:
            lines.append(
                "- " + md(f"{item.label} ({_votes_and_supporters(item.votes, item.supporters)})")
            )
        more = context["clusters_more"] + context["ideas_more"]
        if more:
            lines.append("- " + md(_more_in_raw_data(more)))
        lines += ["", f"## {md(_('How the workshop was run'))}", ""]
        lines += [f"- {md(line)}" for line in _method_lines(summary)]
        lines += ["", f"## {md(_('Participation'))}", ""]
        lines += [f"- {md(line)}" for line in _participation_lines(summary)]
        return "\n".join(lines) + "\n"


def summary_as_dict(summary: Summary) -> dict[str, Any]:
    """Everything, in the shape docs/summary-schema.md describes."""
    return {
        "schema": SCHEMA,
        "taken_at": summary.taken_at.isoformat(),
        "final": summary.final,
        "phase": summary.phase,
        "phase_label": summary.phase_label,
        "workshop": {
            "title": summary.title,
            "question": summary.question,
            "context": summary.context,
            "language": summary.language,
        },
        "method": {
            "phases_run": [{"phase": phase, "label": label} for phase, label in summary.phases_run],
            "voting": summary.voting,
            "moderation": summary.moderation,
            "notes": summary.method_notes,
        },
        "participation": summary.participation,
        "propositions": [
            {
                "rank": proposition.rank,
                "id": proposition.id,
                "title": proposition.title,
                "target_type": proposition.target_type,
                "target_id": proposition.target_id,
                "votes": proposition.votes,
                "supporters": proposition.supporters,
                "parts": [
                    {"name": part.name, "label": part.label, "text": part.text}
                    for part in proposition.parts
                ],
                "quotes": [
                    {"text": quote.text, "author": quote.author} for quote in proposition.quotes
                ],
                "tags": proposition.tags,
            }
            for proposition in summary.propositions
        ],
        "not_carried_forward": {
            "clusters": [_item(item) for item in summary.clusters_not_carried],
            "ideas": [_item(item) for item in summary.ideas_not_carried],
        },
        "clusters": summary.raw.get("clusters", []),
        "ideas": summary.raw.get("ideas", []),
        "votes": summary.raw.get("votes", []),
    }


def _item(item: Any) -> dict[str, Any]:
    return {
        "id": item.id,
        "label": item.label,
        "votes": item.votes,
        "supporters": item.supporters,
        "ideas": item.ideas,
        "tags": item.tags,
    }


def summary_json(summary: Summary) -> str:
    # Compact: the C encoder only runs without indentation, and 100,000 votes are many lines.
    return json.dumps(summary_as_dict(summary), ensure_ascii=False, separators=(",", ":"))


IDEA_COLUMNS = (
    "id",
    "text",
    "status",
    "cluster_id",
    "merged_into",
    "participant",
    "author",
    "votes",
    "supporters",
    "tags",
    "created_at",
)
CLUSTER_COLUMNS = (
    "id",
    "name",
    "position",
    "ideas",
    "votes",
    "supporters",
    "tags",
    "carried_forward",
)
VOTE_COLUMNS = ("participant", "target_type", "target_id", "weight", "rank")
# The CSV headings in the export's language, in the columns' order; in English they are
# the JSON's keys, which is what a script that reads the CSV asks for (`?lang=en`).
CSV_HEADINGS: dict[str, Any] = {
    "id": pgettext_lazy("CSV heading", "id"),
    "text": pgettext_lazy("CSV heading", "text"),
    "status": pgettext_lazy("CSV heading", "status"),
    "cluster_id": pgettext_lazy("CSV heading", "cluster_id"),
    "merged_into": pgettext_lazy("CSV heading", "merged_into"),
    "participant": pgettext_lazy("CSV heading", "participant"),
    "author": pgettext_lazy("CSV heading", "author"),
    "votes": pgettext_lazy("CSV heading", "votes"),
    "supporters": pgettext_lazy("CSV heading", "supporters"),
    "tags": pgettext_lazy("CSV heading", "tags"),
    "created_at": pgettext_lazy("CSV heading", "created_at"),
    "name": pgettext_lazy("CSV heading", "name"),
    "position": pgettext_lazy("CSV heading", "position"),
    "ideas": pgettext_lazy("CSV heading", "ideas"),
    "carried_forward": pgettext_lazy("CSV heading", "carried_forward"),
    "target_type": pgettext_lazy("CSV heading", "target_type"),
    "target_id": pgettext_lazy("CSV heading", "target_id"),
    "weight": pgettext_lazy("CSV heading", "weight"),
    "rank": pgettext_lazy("CSV heading", "rank"),
}


def csv_headings(columns: tuple[str, ...], headings: dict[str, Any] = CSV_HEADINGS) -> list[str]:
    """The heading row of a CSV export, in the active language."""
    return [str(headings[column]) for column in columns]


def _rows(records: list[dict[str, Any]], columns: tuple[str, ...]) -> list[list[Any]]:
    yes, no = pgettext("CSV value", "yes"), pgettext("CSV value", "no")

    def cell(value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(value)
        if isinstance(value, bool):
            return yes if value else no
        return value

    return [[cell(record[column]) for column in columns] for record in records]


def summary_csv(summary: Summary, table: str) -> str:
    """One table of the raw data as CSV; every cell is safe to open in a spreadsheet."""
    with translation.override(summary.language):
        return _summary_csv(summary, table)


def _summary_csv(summary: Summary, table: str) -> str:
    columns = {"ideas": IDEA_COLUMNS, "clusters": CLUSTER_COLUMNS, "votes": VOTE_COLUMNS}[table]
    records = summary.raw.get(table, [])
    if table == "votes":
        # Only numbers and the words "idea" and "cluster": nothing a person typed, so the
        # 100,000 rows of a large workshop skip the per-cell check.
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(csv_headings(columns))
        writer.writerows(
            (r["participant"], r["target_type"], r["target_id"], r["weight"], r["rank"])
            for r in records
        )
        return buffer.getvalue()
    return csv_text(csv_headings(columns), _rows(records, columns))
