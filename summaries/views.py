"""The summary's pages and downloads: for facilitators, and behind a revocable share link."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from workshops.actors import Actor, actor_resolve
from workshops.downloads import attachment, filename_stem
from workshops.errors import ActionRefused
from workshops.http import answers_json, done_json, refused_json, wants_json
from workshops.languages import Reader, language_switch, language_use, request_language
from workshops.models import Workshop
from workshops.phases import Role
from workshops.selectors import workshop_by_code

from . import exports, services
from .selectors import share_by_token
from .summary import Summary, summary_build

# format → (content type, what the file is called after the workshop, needs the raw data)
FORMATS: dict[str, tuple[str, str, bool]] = {
    "pdf": ("application/pdf", "summary.pdf", False),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "summary.docx",
        False,
    ),
    "md": ("text/markdown; charset=utf-8", "summary.md", False),
    "json": ("application/json", "summary.json", True),
    "ideas.csv": ("text/csv; charset=utf-8", "ideas.csv", True),
    "clusters.csv": ("text/csv; charset=utf-8", "clusters.csv", True),
    "votes.csv": ("text/csv; charset=utf-8", "votes.csv", True),
}
RENDERERS: dict[str, Callable[[Summary], bytes | str]] = {
    "pdf": exports.summary_pdf,
    "docx": exports.summary_docx,
    "md": exports.summary_markdown,
    "json": exports.summary_json,
    "ideas.csv": lambda summary: exports.summary_csv(summary, "ideas"),
    "clusters.csv": lambda summary: exports.summary_csv(summary, "clusters"),
    "votes.csv": lambda summary: exports.summary_csv(summary, "votes"),
}


def _labels() -> dict[str, str]:
    return {
        "pdf": _("PDF"),
        "docx": _("Word (DOCX) for council papers"),
        "md": _("Markdown"),
        "json": _("All data (JSON)"),
        "ideas.csv": _("Ideas (CSV)"),
        "clusters.csv": _("Clusters (CSV)"),
        "votes.csv": _("Votes (CSV)"),
    }


def _facilitator(request: HttpRequest, code: str) -> Actor:
    workshop = workshop_by_code(code=code)
    actor = (
        actor_resolve(workshop=workshop, user=request.user, session=request.session)
        if workshop is not None
        else None
    )
    if actor is None or actor.role is not Role.FACILITATOR:
        # As for the console: those who may not run the workshop do not learn it exists.
        raise Http404(_("No workshop has the code %(code)s.") % {"code": code.upper()})
    language_use(request, _facilitator_language(request, actor))
    return actor


def _facilitator_language(request: HttpRequest, actor: Actor) -> str:
    return request_language(
        request, reader=Reader.FACILITATOR, workshop_language=actor.workshop.language
    )


def _document_language(request: HttpRequest, workshop: Workshop) -> str:
    """The summary speaks the workshop's language unless its link asks for another."""
    language = request_language(request, reader=Reader.ROOM, workshop_language=workshop.language)
    language_use(request, language)
    return language


def _shared(token: str) -> Workshop:
    share = share_by_token(token=token)
    if share is None:
        raise Http404(_("This link to a summary does not exist or has been withdrawn."))
    return share.workshop


def _page(request: HttpRequest, workshop: Workshop, url_for: Callable[[str], str]) -> HttpResponse:
    language = _document_language(request, workshop)
    summary = summary_build(workshop=workshop, language=language)
    # The downloads follow the page: a summary read in Swedish downloads in Swedish.
    asked = "" if language == workshop.language else f"?lang={language}"
    request.language_by_link = True  # type: ignore[attr-defined]
    labels = _labels()
    downloads = [{"url": url_for(name) + asked, "label": labels[name]} for name in FORMATS]
    response = HttpResponse(
        exports.summary_html(summary, downloads=downloads, **language_switch(request))
    )
    # A shared summary is for the people it was sent to, not for search engines or caches.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _download(request: HttpRequest, workshop: Workshop, name: str) -> HttpResponse:
    if name not in FORMATS:
        raise Http404(_("There is no such download."))
    content_type, filename, raw = FORMATS[name]
    language = _document_language(request, workshop)
    summary = summary_build(workshop=workshop, with_raw=raw, language=language)
    body = RENDERERS[name](summary)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = attachment(f"{filename_stem(workshop.title)}-{filename}")
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def facilitator_summary(request: HttpRequest, code: str) -> HttpResponse:
    actor = _facilitator(request, code)
    workshop = actor.workshop
    return _page(
        request,
        workshop,
        lambda name: reverse(
            "summaries:download", kwargs={"code": workshop.join_code, "name": name}
        ),
    )


@require_GET
def facilitator_download(request: HttpRequest, code: str, name: str) -> HttpResponse:
    return _download(request, _facilitator(request, code).workshop, name)


@require_GET
def shared_summary(request: HttpRequest, token: str) -> HttpResponse:
    workshop = _shared(token)
    return _page(
        request,
        workshop,
        lambda name: reverse("summaries:shared_download", kwargs={"token": token, "name": name}),
    )


@require_GET
def shared_download(request: HttpRequest, token: str, name: str) -> HttpResponse:
    return _download(request, _shared(token), name)


@answers_json
@require_POST
def share_create(request: HttpRequest, code: str) -> HttpResponse:
    actor = _facilitator(request, code)
    with translation.override(_facilitator_language(request, actor)):
        try:
            share = services.summary_share_create(actor=actor)
        except ActionRefused as refused:
            if wants_json(request):
                return refused_json(refused)
            messages.error(request, refused.message)
        else:
            if wants_json(request):
                url = reverse("summaries:shared", kwargs={"token": share.token})
                return done_json(
                    {"share": {"id": share.pk, "url": request.build_absolute_uri(url)}}
                )
            messages.success(request, _("A new link to the summary is ready to share."))
    return redirect(_console(actor))


@answers_json
@require_POST
def share_revoke(request: HttpRequest, code: str, share_id: int) -> HttpResponse:
    actor = _facilitator(request, code)
    with translation.override(_facilitator_language(request, actor)):
        try:
            share = services.summary_share_revoke(actor=actor, share_id=share_id)
        except ActionRefused as refused:
            if wants_json(request):
                return refused_json(refused)
            messages.error(request, refused.message)
        else:
            if wants_json(request):
                return done_json({"share_id": share.pk})
            messages.success(request, _("The link was withdrawn; it no longer opens the summary."))
    return redirect(_console(actor))


def _console(actor: Actor) -> str:
    return reverse("workshops:console", kwargs={"code": actor.workshop.join_code}) + "#summary"
