"""Which language a person sees, on a page and on the room's socket.

A person's own choice (the language switch, kept in a cookie) beats the workshop's
language, which beats the browser's Accept-Language. A facilitator's console follows
the facilitator: their choice, then their browser, then the workshop. What the room
shares with everyone (the projector, the summary and its downloads) speaks the
workshop's language, unless the link asks for another with `?lang=`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation.trans_real import parse_accept_lang_header

from .selectors import workshop_by_code

# `?lang=da` on any address shows that page in Danish, without remembering it.
LANGUAGE_QUERY_PARAMETER = "lang"

# Pages of something with a language of its own that is not a workshop (a challenge, a
# proposal, a receipt): the view's name, and how to find that language from the
# address's arguments. Apps above this floor register them from AppConfig.ready().
SourceLanguage = Callable[..., str | None]
_SOURCE_LANGUAGES: dict[str, SourceLanguage] = {}


def source_language_register(*view_names: str, language_of: SourceLanguage) -> None:
    """These views speak as a workshop's pages do, with `language_of(**kwargs)` as its language."""
    for view_name in view_names:
        _SOURCE_LANGUAGES[view_name] = language_of


class Reader(enum.StrEnum):
    """Whose language a page or socket speaks."""

    # A citizen or an observer in a workshop: choice, workshop, browser.
    PERSON = "person"
    # A facilitator on the console: choice, browser, workshop.
    FACILITATOR = "facilitator"
    # The projector and the summary: the workshop's, unless the link asks otherwise.
    ROOM = "room"


def language_supported(code: str | None) -> str | None:
    """The offered language this code names (`da-DK` is `da`), or None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code.strip())
    except LookupError:
        return None


def language_of_browser(accept_language: str | None) -> str | None:
    """The first offered language in an Accept-Language header, or None."""
    if not accept_language:
        return None
    for code, _quality in parse_accept_lang_header(accept_language):
        if code == "*":
            break
        found = language_supported(code)
        if found:
            return found
    return None


def language_pick(
    *,
    reader: Reader,
    asked: str | None = None,
    chosen: str | None = None,
    browser: str | None = None,
    workshop_language: str | None = None,
) -> str:
    """The language shown: the first offered one in the order this reader follows."""
    order: Iterable[str | None]
    if reader is Reader.ROOM:
        order = (asked, workshop_language)
    elif reader is Reader.FACILITATOR:
        order = (asked, chosen, browser, workshop_language)
    else:
        order = (asked, chosen, workshop_language, browser)
    for code in order:
        found = language_supported(code)
        if found:
            return found
    return settings.LANGUAGE_CODE


def request_language(
    request: HttpRequest, *, reader: Reader = Reader.PERSON, workshop_language: str | None = None
) -> str:
    """The language of a page for this request."""
    return language_pick(
        reader=reader,
        asked=request.GET.get(LANGUAGE_QUERY_PARAMETER),
        chosen=request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME),
        browser=request.headers.get("Accept-Language"),
        workshop_language=workshop_language,
    )


def scope_language(
    scope: dict[str, Any], *, reader: Reader, workshop_language: str | None = None
) -> str:
    """The language of a socket: what its page asked for, else as for a page."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    headers = dict(scope.get("headers") or [])
    return language_pick(
        reader=reader,
        asked=(query.get(LANGUAGE_QUERY_PARAMETER) or [None])[0],
        chosen=(scope.get("cookies") or {}).get(settings.LANGUAGE_COOKIE_NAME),
        browser=headers.get(b"accept-language", b"").decode("latin-1"),
        workshop_language=workshop_language,
    )


def language_use(request: HttpRequest, language: str) -> None:
    """Speak this language for the rest of the request, the response's header included."""
    translation.activate(language)
    request.LANGUAGE_CODE = language


class LanguageMiddleware:
    """Django's LocaleMiddleware, choosing as above before any workshop is known.

    Pages of a workshop narrow the choice with `language_use(request_language(...))`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        language_use(request, request_language(request))
        try:
            response = self.get_response(request)
        finally:
            # The thread serves someone else next; nothing of this request's language stays.
            translation.deactivate()
        # The same address answers in another language for another cookie or browser.
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: dict[str, Any]
    ) -> None:
        # Any page or answer of a workshop (its code in the address) knows its language;
        # facilitators' views then narrow it to the facilitator's own.
        code = kwargs.get("code")
        source_language: str | None = None
        if isinstance(code, str):
            workshop = workshop_by_code(code=code)
            # Kept for the view, which would otherwise read the same row again (a join
            # is two pages of it: docs/deploy.md, *Joins*).
            request.workshop_by_code = (code, workshop)  # type: ignore[attr-defined]
            source_language = workshop.language if workshop is not None else None
        else:
            match = getattr(request, "resolver_match", None)
            language_of = _SOURCE_LANGUAGES.get(match.view_name) if match else None
            if language_of is not None:
                source_language = language_of(**kwargs)
        if source_language:
            language_use(request, request_language(request, workshop_language=source_language))


def language_switch(request: HttpRequest) -> dict[str, Any]:
    """Template context: the offered languages, each named in itself, for the switch."""
    current = translation.get_language()
    by_link = getattr(request, "language_by_link", False)
    # Back to the same page, without a `?lang=` that would beat the new choice.
    query: dict[str, str] = {
        key: str(value) for key, value in request.GET.items() if key != LANGUAGE_QUERY_PARAMETER
    }
    back = f"{request.path}?{urlencode(sorted(query.items()))}" if query else request.path
    options = []
    for code, _name in settings.LANGUAGES:
        info = translation.get_language_info(code)
        link = ""
        if by_link:
            asked = sorted({**query, LANGUAGE_QUERY_PARAMETER: code}.items())
            link = f"{request.path}?{urlencode(asked)}"
        options.append(
            {
                "code": code,
                "name": info["name_local"][:1].upper() + info["name_local"][1:],
                "current": code == current,
                "link": link,
            }
        )
    return {"language_options": options, "language_by_link": by_link, "language_next": back}
