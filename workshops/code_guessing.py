"""Join codes cannot be guessed at speed: wrong codes are counted per address.

A join code is the only secret between a stranger and a room. Every way a code can
be tried (the home page's form, any page or form under /j/, /w/ or /facilitate/, and
the room's WebSocket) counts a code that names no workshop against the address it
came from. Past SAMSKAB_RATE_JOIN_FAILURES_PER_ADDRESS every code from that address,
right or wrong, is answered 429 with Retry-After until the window ends: answering
right codes as usual would let the guessing go on.

Only wrong codes count, so a town hall of a thousand phones behind one Wi-Fi address
joining the right room never comes near the limit; the default (3000 an hour) leaves
every one of those phones three typing mistakes as well.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage

from .errors import ActionRefused
from .limits import client_address

logger = logging.getLogger(__name__)

RATE_LIMITED = "rate_limited"


def _usage(address: str, *, increment: bool) -> dict[str, Any] | None:
    rate = settings.SAMSKAB_RATE_LIMITS.get("join_failures_per_address")
    if not rate:
        return None
    try:
        return get_usage(
            None,
            group="samskab",
            key=lambda _group, _request: f"join_failure:address:{address}",
            rate=rate,
            increment=increment,
        )
    except Exception:
        # A cache outage must not keep a room from filling; the limit returns with it.
        logger.exception("join code guess counter unavailable")
        return None


def guessing_refusal(retry_after: int) -> ActionRefused:
    minutes = max(1, (retry_after + 59) // 60)
    message = ngettext(
        "Too many wrong workshop codes came from your network. Try again in %(minutes)d minute.",
        "Too many wrong workshop codes came from your network. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    return ActionRefused(RATE_LIMITED, message, retry_after=retry_after)


def code_guessing_check(*, address: str | None) -> None:
    """Refuse with `rate_limited` (and its retry_after) while this address is over the limit."""
    if not address:
        return
    usage = _usage(address, increment=False)
    if usage is not None and usage["limit"] > 0 and usage["count"] >= usage["limit"]:
        raise guessing_refusal(max(1, int(usage["time_left"])))


def code_guessing_miss(*, address: str | None) -> None:
    """Count one code from this address that named no workshop."""
    if address:
        _usage(address, increment=True)


def _address(request: HttpRequest) -> str | None:
    return client_address(request)


def refused_page(request: HttpRequest, refused: ActionRefused) -> HttpResponse:
    """The 429 a guessing address gets: JSON for a script, the home page for a person."""
    response: HttpResponse
    if "application/json" in request.headers.get("Accept", ""):
        body = {"ok": False, "code": refused.code, "message": refused.message}
        response = JsonResponse(body, status=429)
    else:
        from .forms import JoinCodeForm

        form = JoinCodeForm()
        form.full_clean()  # an empty form that can still carry the refusal
        form.cleaned_data = {}
        form.add_error(None, refused.message)
        response = render(request, "workshops/home.html", {"form": form}, status=429)
    if refused.retry_after is not None:
        response["Retry-After"] = str(refused.retry_after)
    return response


class JoinCodeGuessingMiddleware:
    """Counts every page or form whose join code names no workshop; refuses past the limit.

    A view finds its workshop by the `code` in its URL and raises Http404 when there
    is none (workshops.views.workshop_or_404), so a 404 raised for a URL with a code
    is a wrong guess. The home page's form counts its own (workshops.views.home).
    """

    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Any,
        view_args: Any,
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if "code" not in view_kwargs:
            return None
        try:
            code_guessing_check(address=_address(request))
        except ActionRefused as refused:
            return refused_page(request, refused)
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        match = request.resolver_match
        if isinstance(exception, Http404) and match is not None and "code" in match.kwargs:
            code_guessing_miss(address=_address(request))
