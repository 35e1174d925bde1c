"""How the room's HTTP endpoints answer a page's script: one convention for every app.

A page that asks with `Accept: application/json` gets `{"ok": false, "code",
"message"}` and a status that matches the code (docs/protocol.md); a browser
without script gets the page back instead, which each view decides.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.csrf import csrf_failure as csrf_failure_page

from .errors import ActionRefused, page_expired
from .numbers import number_or_as_sent

REFUSAL_STATUS = {
    "forbidden": 403,
    "not_found": 404,
    "wrong_phase": 409,
    "conflict": 409,
    "rate_limited": 429,
}


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def done_json(data: dict[str, Any], *, status: int = 200) -> JsonResponse:
    """The answer to a page's script when the write was done: the command's ack data."""
    return JsonResponse({"ok": True, **data}, status=status)


def refused_json(error: ActionRefused) -> JsonResponse:
    body = {"ok": False, "code": error.code, "message": error.message}
    response = JsonResponse(body, status=REFUSAL_STATUS.get(error.code, 400))
    if error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    return response


def id_from_path(raw: str) -> Any:
    """An id from a URL: a number where it can be a database id, else the text as sent.

    The services refuse anything that is not a number as `invalid`; a string too long
    to be an id never reaches int(), which would fail on thousands of digits.
    """
    return number_or_as_sent(raw)


View = Callable[..., HttpResponse]


def answers_json(view: View) -> View:
    """A page's script gets JSON from this view, never a redirect or an HTML error page.

    A missing workshop (Http404, also what a non-facilitator gets for a facilitator's
    page) becomes `not_found`; a person who is not signed in gets `forbidden` instead
    of the redirect to the sign-in page a browser gets.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not wants_json(request):
            return view(request, *args, **kwargs)
        try:
            return view(request, *args, **kwargs)
        except Http404 as missing:
            return refused_json(ActionRefused("not_found", str(missing) or _("Not found.")))

    return wrapped


def signed_in(view: View) -> View:
    """login_required for browsers; a page's script gets `forbidden` (403) instead."""
    browser_view = login_required(view)

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if wants_json(request) and not request.user.is_authenticated:
            return refused_json(ActionRefused("forbidden", _("Sign in first.")))
        return browser_view(request, *args, **kwargs)

    return wrapped


class RefusalsAsJsonMiddleware:
    """A page's script gets the convention's JSON from every app's views, never an HTML
    error page: a missing page (Http404) is `not_found`, a refusal (PermissionDenied)
    `forbidden`, also where a view has no answers_json of its own.
    """

    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not wants_json(request):
            return None
        if isinstance(exception, Http404):
            return refused_json(ActionRefused("not_found", str(exception) or _("Not found.")))
        if isinstance(exception, PermissionDenied):
            message = str(exception) or _("You may not do that.")
            return refused_json(ActionRefused("forbidden", message))
        return None


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: a script gets `forbidden` as JSON, a browser Django's page."""
    if wants_json(request):
        return refused_json(page_expired())
    return csrf_failure_page(request, reason=reason)


def _unreadable_message() -> str:
    return _(
        "The server could not read what was sent: it was too long, had too many fields "
        "or was malformed. Nothing was changed."
    )


class UnreadableFormsAsJsonMiddleware:
    """A script whose form the server cannot read (over DATA_UPLOAD_MAX_MEMORY_SIZE, more
    fields than DATA_UPLOAD_MAX_NUMBER_FIELDS, broken multipart) gets `invalid` as JSON.

    Placed above CsrfViewMiddleware, which reads the form first: what it raises there
    never reaches a view's process_exception, and with DEBUG on Django would answer with
    its technical page instead of handler400.
    """

    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: View, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if request.method != "POST" or not wants_json(request):
            return None
        try:
            request.POST  # noqa: B018 - reading it is the check
        except (SuspiciousOperation, MultiPartParserError, BadRequest):
            # Nothing after this may read the form again: it would raise again.
            request._mark_post_parse_error()  # type: ignore[attr-defined]
            return refused_json(ActionRefused("invalid", _unreadable_message()))
        return None


# What Django raises for a form it will not read whole; any other 400 (a foreign Host
# header, a request Django finds malformed) is not the fault of what someone typed.
UNREADABLE_FORMS = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, MultiPartParserError)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: `invalid` as JSON for a script, a page in the reader's language otherwise."""
    unreadable = isinstance(exception, UNREADABLE_FORMS)
    if unreadable:
        message = _unreadable_message()
    else:
        message = _("The server could not understand this request. Nothing was changed.")
    if wants_json(request):
        return refused_json(ActionRefused("invalid", message))
    context = {"message": message, "unreadable": unreadable}
    return render(request, "400.html", context, status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: `server_error` as JSON for a script, Django's plain page otherwise."""
    if wants_json(request):
        message = _("Something went wrong on the server. Try again in a moment.")
        body = {"ok": False, "code": "server_error", "message": message}
        return JsonResponse(body, status=500)
    return defaults.server_error(request)
