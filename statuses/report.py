"""The "you said, we did" report of a workshop or a challenge, in every format.

One model, built once, that the page, PDF, DOCX, CSV and JSON are all drawn from, in
the style of the workshop summary (summaries/): every value proposition or proposal
with its support and where it stands, and every other item that has had a status.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from challenges.models import Challenge, Proposal
from ideas.models import Cluster, Idea
from summaries import exports
from summaries.models import ValueProposition
from summaries.selectors import support_figures
from workshops.models import Workshop
from workshops.serializers import isoformat
from workshops.spreadsheet import csv_text

from .models import ItemStatus, Status, StatusChange
from .registry import kind_of
from .selectors import item_status_of, timeline_of

SCHEMA = "samskab.said/2"


@dataclass
class Step:
    status: str
    status_label: str
    administration: str
    # None, not "": the same as the receipt's socket says it (statuses.serializers).
    forwarded_to: str | None
    note: str
    progress: int | None
    expected_on: str | None
    at: datetime


@dataclass
class Row:
    kind: str
    id: int
    title: str
    status: str
    status_label: str
    administration: str | None
    progress: int | None
    expected_on: str | None
    updated_at: datetime | None
    votes: int
    supporters: int
    timeline: list[Step] = field(default_factory=list)

    @property
    def last_note(self) -> str:
        return next((step.note for step in reversed(self.timeline) if step.note), "")


@dataclass
class Report:
    source: str  # "workshop" or "challenge"
    source_id: int
    title: str
    question: str
    language: str
    taken_at: datetime
    rows: list[Row]

    def counts(self) -> dict[str, int]:
        counted = {status.value: 0 for status in Status}
        for row in self.rows:
            counted[row.status] += 1
        return counted


def _row(item: Any, votes: int, supporters: int) -> Row:
    kind = kind_of(item)
    status = item_status_of(item=item)
    steps = [_step(change) for change in timeline_of(item=item)] if status else []
    return Row(
        kind=kind.key,
        id=item.pk,
        title=kind.title(item),
        status=status.status if status else Status.RECEIVED.value,
        status_label=str(Status(status.status if status else Status.RECEIVED).label),
        administration=status.administration.name if status and status.administration else None,
        progress=status.progress if status else None,
        expected_on=status.expected_on.isoformat() if status and status.expected_on else None,
        updated_at=status.updated_at if status else None,
        votes=votes,
        supporters=supporters,
        timeline=steps,
    )


def _step(change: StatusChange) -> Step:
    return Step(
        status=change.status,
        status_label=str(Status(change.status).label),
        administration=change.administration.name,
        forwarded_to=change.forwarded_to.name if change.forwarded_to else None,
        note=change.note,
        progress=change.progress,
        expected_on=change.expected_on.isoformat() if change.expected_on else None,
        at=change.created_at,
    )


def workshop_report(*, workshop: Workshop, language: str | None = None) -> Report:
    """The workshop's report, in its language or this one."""
    language = language or workshop.language
    support = support_figures(workshop=workshop)
    rows = []
    with translation.override(language):
        for proposition in ValueProposition.objects.filter(workshop=workshop).select_related(
            "cluster", "idea"
        ):
            target = "cluster" if proposition.cluster_id else "idea"
            figure = support.of(target, proposition.cluster_id or proposition.idea_id)
            rows.append(_row(proposition, figure.votes, figure.supporters))
        rows.sort(key=lambda row: (-row.votes, -row.supporters, row.id))
        # Ideas and clusters the municipality answered one by one follow the propositions.
        for model, target in ((Cluster, "cluster"), (Idea, "idea")):
            ids = ItemStatus.objects.filter(content_type__model=model._meta.model_name).values(
                "object_id"
            )
            for item in model.objects.filter(workshop=workshop, pk__in=ids).order_by("pk"):
                figure = support.of(target, item.pk)
                rows.append(_row(item, figure.votes, figure.supporters))
    return Report(
        source="workshop",
        source_id=workshop.pk,
        title=workshop.title,
        question=workshop.question,
        language=language,
        taken_at=timezone.now(),
        rows=rows,
    )


def challenge_report(*, challenge: Challenge, language: str | None = None) -> Report:
    """The challenge's report, in its language or this one."""
    language = language or challenge.language
    with translation.override(language):
        proposals = Proposal.objects.filter(
            challenge=challenge, status__in=Proposal.PUBLIC
        ).order_by("-support_count", "pk")
        rows = [
            _row(proposal, proposal.support_count, proposal.support_count) for proposal in proposals
        ]
    return Report(
        source="challenge",
        source_id=challenge.pk,
        title=challenge.title,
        question=challenge.question,
        language=language,
        taken_at=timezone.now(),
        rows=rows,
    )


# ---- formats -----------------------------------------------------------------------------------


def report_as_dict(report: Report) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "taken_at": isoformat(report.taken_at),
        "source": {
            "type": report.source,
            "id": report.source_id,
            "title": report.title,
            "question": report.question,
            "language": report.language,
        },
        "counts": report.counts(),
        "items": [
            {
                "kind": row.kind,
                "id": row.id,
                "title": row.title,
                "status": row.status,
                "status_label": row.status_label,
                "administration": row.administration,
                "progress": row.progress,
                "expected_on": row.expected_on,
                "updated_at": isoformat(row.updated_at),
                "votes": row.votes,
                "supporters": row.supporters,
                "timeline": [
                    {
                        "status": step.status,
                        "status_label": step.status_label,
                        "administration": step.administration,
                        "forwarded_to": step.forwarded_to,
                        "note": step.note,
                        "progress": step.progress,
                        "expected_on": step.expected_on,
                        "at": isoformat(step.at),
                    }
                    for step in row.timeline
                ],
            }
            for row in report.rows
        ],
    }


def report_json(report: Report) -> str:
    return json.dumps(report_as_dict(report), ensure_ascii=False, indent=2)


CSV_COLUMNS = (
    "kind", "id", "title", "status", "status_label", "administration", "progress",
    "expected_on", "updated_at", "votes", "supporters", "note",
)  # fmt: skip
# In the report's language; in English the JSON's keys (summaries.exports.CSV_HEADINGS).
CSV_HEADINGS: dict[str, Any] = {
    **exports.CSV_HEADINGS,
    "kind": pgettext_lazy("CSV heading", "kind"),
    "title": pgettext_lazy("CSV heading", "title"),
    "status_label": pgettext_lazy("CSV heading", "status_label"),
    "administration": pgettext_lazy("CSV heading", "administration"),
    "progress": pgettext_lazy("CSV heading", "progress"),
    "expected_on": pgettext_lazy("CSV heading", "expected_on"),
    "updated_at": pgettext_lazy("CSV heading", "updated_at"),
    "note": pgettext_lazy("CSV heading", "note"),
}


def _csv_row(row: Row) -> list[Any]:
    return [
        row.kind,
        row.id,
        row.title,
        row.status,
        row.status_label,
        row.administration or "",
        "" if row.progress is None else row.progress,
        row.expected_on or "",
        isoformat(row.updated_at) or "",
        row.votes,
        row.supporters,
        row.last_note,
    ]


def report_csv(report: Report) -> str:
    with translation.override(report.language):
        headings = exports.csv_headings(CSV_COLUMNS, CSV_HEADINGS)
    return csv_text(headings, [_csv_row(row) for row in report.rows])


def report_html(report: Report, **extra: Any) -> str:
    with translation.override(report.language):
        return render_to_string("statuses/report.html", {"report": report, **extra})


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"not fetched: {url[:60]}")


def report_pdf(report: Report) -> bytes:
    from weasyprint import CSS, HTML

    html = report_html(report, print_mode=True)
    stylesheet = finders.find("statuses/report.css")
    return HTML(string=html, url_fetcher=_no_fetching).write_pdf(
        stylesheets=[CSS(filename=stylesheet)] if stylesheet else None
    )


def report_docx(report: Report) -> bytes:
    from docx import Document

    with translation.override(report.language):
        document = Document()
        document.core_properties.title = report.title
        document.core_properties.language = report.language
        document.add_heading(_("You said, we did: %(title)s") % {"title": report.title}, level=0)
        document.add_paragraph(report.question).runs[0].bold = True
        if not report.rows:
            document.add_paragraph(_("Nothing to report yet."))
        for row in report.rows:
            document.add_heading(row.title, level=1)
            line = f"{row.status_label}"
            if row.administration:
                line += f" · {row.administration}"
            document.add_paragraph(line).runs[0].bold = True
            document.add_paragraph(
                exports.votes_from_supporters(row.votes, row.supporters, distinct=False)
            )
            for step in row.timeline:
                text = f"{step.at:%Y-%m-%d} {step.status_label} — {step.administration}"
                if step.note:
                    text += f": {step.note}"
                document.add_paragraph(text, style="List Bullet")
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()
