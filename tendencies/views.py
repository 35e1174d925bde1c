"""The tendencies page, its exports, the public "what we hear" page and theme curation."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from selfcheck.selectors import self_check_totals
from workshops.errors import ActionRefused
from workshops.http import refused_json
from workshops.models import Workshop
from workshops.spreadsheet import csv_text

from . import services
from .forms import CreateForm, FilterForm, MergeForm, RenameForm, SplitForm, TagsForm
from .models import Theme
from .selectors import (
    chart_width,
    default_period,
    items_without_theme,
    tendencies_may_read,
    tendencies_table,
    tendency_rows,
    theme_link_titles,
    theme_suggestions,
    themes_overview,
)


def _reader_or_404(request: HttpRequest) -> None:
    if not tendencies_may_read(user=request.user):
        raise Http404(_("No such page."))


def _month(raw: str) -> date | None:
    try:
        year, month = (int(part) for part in raw.split("-"))
        return date(year, month, 1)
    except (TypeError, ValueError):
        return None


def _month_after(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _filters_refused(form: FilterForm) -> HttpResponse | None:
    """An export asked with a filter it cannot read answers `invalid` and what to fix."""
    if not form.is_bound or form.is_valid():
        return None
    name, errors = next(iter(form.errors.items()))
    label = form.fields[name].label if name in form.fields else name
    return refused_json(ActionRefused("invalid", f"{label}: {errors[0]}"))


def _filtered(request: HttpRequest) -> tuple[FilterForm, dict[str, Any]]:
    form = FilterForm(request.GET or None)
    start, end = default_period()
    administration_id, source = None, ""
    if form.is_valid():
        start = _month(form.cleaned_data["start"]) or start
        end = _month(form.cleaned_data["end"]) or end
        if form.cleaned_data["administration"]:
            administration_id = form.cleaned_data["administration"].pk
        source = form.cleaned_data["source"] or ""
    if end < start:
        start, end = end, start
    # More than ten years is more columns than anyone reads; keep the newest.
    if (end.year - start.year) * 12 + end.month - start.month >= 120:
        start = date(end.year - 10, end.month, 1)
    table = tendencies_table(
        rows=tendency_rows(),
        start=start,
        end=end,
        administration_id=administration_id,
        source=source,
    )
    table["chart_width"] = chart_width(len(table["months"]))
    return form, table


@login_required
@require_GET
def tendencies(request: HttpRequest) -> HttpResponse:
    _reader_or_404(request)
    form, table = _filtered(request)
    return render(
        request,
        "tendencies/tendencies.html",
        {
            "form": form,
            "query": request.GET.urlencode(),
            "public": settings.SAMSKAB_PUBLISH_WHAT_WE_HEAR,
            # The facilitators' self-checks, summed over the workshops of the period.
            "self_checks": self_check_totals(
                workshops=Workshop.objects.filter(
                    created_at__date__gte=table["months"][0],
                    created_at__date__lt=_month_after(table["months"][-1]),
                )
            ),
            **table,
        },
    )


def _export_rows(table: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "theme_id": entry.theme.pk,
            "theme": entry.theme.name,
            "trend": entry.trend,
            "total": entry.total,
            "months": {
                month.strftime("%Y-%m"): count
                for month, count in zip(table["months"], entry.counts, strict=True)
            },
        }
        for entry in table["themes"]
    ]


def _csv_headings() -> list[str]:
    """In the reader's language; in English the JSON's keys (docs/tendencies.md)."""
    return [
        pgettext("CSV heading", "theme_id"),
        pgettext("CSV heading", "theme"),
        pgettext("CSV heading", "trend"),
        pgettext("CSV heading", "total"),
    ]


@login_required
@require_GET
def tendencies_csv(request: HttpRequest) -> HttpResponse:
    _reader_or_404(request)
    form, table = _filtered(request)
    if (refused := _filters_refused(form)) is not None:
        return refused
    months = [month.strftime("%Y-%m") for month in table["months"]]
    rows = [
        [row["theme_id"], row["theme"], row["trend"], row["total"], *row["months"].values()]
        for row in _export_rows(table)
    ]
    response = HttpResponse(
        csv_text([*_csv_headings(), *months], rows),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="samskab-tendencies.csv"'
    return response


@login_required
@require_GET
def tendencies_json(request: HttpRequest) -> HttpResponse:
    _reader_or_404(request)
    form, table = _filtered(request)
    if (refused := _filters_refused(form)) is not None:
        return refused
    document = {
        "months": [month.strftime("%Y-%m") for month in table["months"]],
        "themes": _export_rows(table),
    }
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="samskab-tendencies.json"'
    return response


@require_GET
def what_we_hear(request: HttpRequest) -> HttpResponse:
    if not settings.SAMSKAB_PUBLISH_WHAT_WE_HEAR:
        raise Http404(_("No such page."))
    start, end = default_period()
    table = tendencies_table(rows=tendency_rows(), start=start, end=end)
    table["chart_width"] = chart_width(len(table["months"]))
    table["themes"] = [entry for entry in table["themes"] if entry.total]
    return render(request, "tendencies/what_we_hear.html", table)


def _ids(raw: list[str]) -> list[int]:
    ids = [int(value) for value in raw if value.isdigit() and len(value) < 19]
    if len(ids) != len(raw) or not ids:
        raise ActionRefused("invalid", _("Choose the items from the list."))
    return ids


@login_required
@require_http_methods(["GET", "POST"])
def themes_page(request: HttpRequest) -> HttpResponse:
    """Themes made and filled outside the admin: new ones, adopted suggestions, loose items."""
    _reader_or_404(request)
    create = CreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            if create.is_valid():
                theme = services.theme_create(
                    name=create.cleaned_data["name"],
                    tags=services.tag_names(create.cleaned_data["tags"]),
                )
                messages.success(request, _("The theme “%(name)s” is made.") % {"name": theme.name})
                return redirect("tendencies:theme", theme_id=theme.pk)
        except ActionRefused as error:
            create.add_error(None, error.message)
    return render(
        request,
        "tendencies/curate.html",
        {
            "create": create,
            "themes": themes_overview(),
            "suggestions": theme_suggestions(),
            "unthemed": items_without_theme(),
            "choices": Theme.objects.filter(merged_into__isnull=True),
        },
    )


@login_required
@require_POST
def theme_adopt(request: HttpRequest) -> HttpResponse:
    _reader_or_404(request)
    try:
        theme = services.theme_adopt(
            name=request.POST.get("name", ""), idea_ids=_ids(request.POST.getlist("ideas"))
        )
    except ActionRefused as error:
        messages.error(request, error.message)
        return redirect("tendencies:themes")
    messages.success(request, _("The theme “%(name)s” is made.") % {"name": theme.name})
    return redirect("tendencies:theme", theme_id=theme.pk)


@login_required
@require_POST
def theme_put(request: HttpRequest) -> HttpResponse:
    """Put one cluster or proposal into the theme suggested for it, or another."""
    _reader_or_404(request)
    raw = request.POST.get("theme", "")
    theme = Theme.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 19 else None
    try:
        if theme is None:
            raise ActionRefused("invalid", _("Choose a theme first."))
        services.theme_items_put(
            theme=theme,
            kind=request.POST.get("kind", ""),
            object_ids=_ids([request.POST.get("object_id", "")]),
        )
    except ActionRefused as error:
        messages.error(request, error.message)
        return redirect("tendencies:themes")
    messages.success(request, _("Put into “%(name)s”.") % {"name": theme.name})
    return redirect("tendencies:themes")


@login_required
@require_http_methods(["GET", "POST"])
def theme_page(request: HttpRequest, theme_id: int) -> HttpResponse:
    _reader_or_404(request)
    theme = get_object_or_404(Theme, pk=theme_id)
    if theme.merged_into_id is not None:
        # A merged theme's id still leads somewhere: to the theme that took it over.
        return redirect("tendencies:theme", theme_id=theme.merged_into_id)
    action = request.POST.get("action", "")
    # Prefixed: the three forms share one page, and field ids must not repeat.
    rename = RenameForm(
        request.POST if action == "rename" else None,
        initial={"name": theme.name},
        prefix="rename",
    )
    merge = MergeForm(request.POST if action == "merge" else None, theme=theme, prefix="merge")
    links = list(theme.links.all())
    titles = theme_link_titles(links)
    split = SplitForm(
        request.POST if action == "split" else None, theme=theme, titles=titles, prefix="split"
    )
    tags = TagsForm(request.POST if action == "tags" else None, prefix="tags")
    try:
        if action == "tags" and tags.is_valid():
            added = services.theme_tags_add(
                theme=theme, tags=services.tag_names(tags.cleaned_data["tags"])
            )
            messages.success(
                request,
                _("Tags added: %(tags)s.") % {"tags": ", ".join(added)}
                if added
                else _("The theme already gathers those tags."),
            )
            return redirect("tendencies:theme", theme_id=theme.pk)
        if action == "rename" and rename.is_valid():
            services.theme_rename(theme=theme, name=rename.cleaned_data["name"])
            messages.success(request, _("The theme is renamed."))
            return redirect("tendencies:theme", theme_id=theme.pk)
        if action == "merge" and merge.is_valid():
            target = services.theme_merge(source=theme, target=merge.cleaned_data["target"])
            messages.success(request, _("The theme is merged."))
            return redirect("tendencies:theme", theme_id=target.pk)
        if action == "split" and split.is_valid():
            new = services.theme_split(
                theme=theme,
                name=split.cleaned_data["name"],
                tags=split.cleaned_data["tags"],
                links=split.cleaned_data["links"],
            )
            messages.success(request, _("A new theme is split off."))
            return redirect("tendencies:theme", theme_id=new.pk)
    except ActionRefused as error:
        messages.error(request, error.message)
    return render(
        request,
        "tendencies/theme.html",
        {
            "theme": theme,
            "rename": rename,
            "merge": merge,
            "split": split,
            "tags": tags,
            "tag_names": [tag.name for tag in theme.tags.all()],
            "items": [titles[link.pk] for link in links],
        },
    )
