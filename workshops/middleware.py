"""Compressed pages and JSON, except where compression would leak a secret (BREACH).

A phone on a slow network waits for every byte: the room's page, its JSON answers and
the script catalogue shrink to a fifth or less with gzip. Static files are compressed
once, ahead of time, by WhiteNoise (settings.STORAGES) and never pass through here.

BREACH: when a response carries a secret next to text an attacker can choose, and the
attacker can make the victim's browser ask for it again and again while watching the
sizes on the wire, the compressed size gives the secret away a character at a time.
- CSRF tokens are safe to compress: Django masks the token afresh in every response,
  and GZipMiddleware pads each response by a random length ("Heal the Breach").
- A signed-in facilitator's pages are not compressed: the console and the summary
  carry capability links (the observer link, summary share links, invitations) next to
  ideas and names that any citizen typed, at addresses an attacker can guess from the
  public join code, sent with the facilitator's cookie. Those pages are read on a
  laptop, where the bytes matter least.
- A citizen's pages and every JSON answer carry no secret of that kind (the phone's
  participant key stays in its session cookie), so they are compressed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import cc_delim_re

# Set on a response that is the same whoever asks (the room's scripts in a language named
# in their address).
SAME_FOR_EVERYONE = "samskab_same_for_everyone"


def same_for_everyone(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Mark a view's answer as not depending on cookies or the browser's languages.

    The language middleware says every answer varies by Cookie and Accept-Language.
    A browser then cannot use a file it fetched ahead before joining (no session cookie
    yet) for the room (with one): it would ask again, a round trip on a slow network.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        setattr(response, SAME_FOR_EVERYONE, True)
        return response

    return wrapped


class CompressionMiddleware(GZipMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(response, SAME_FOR_EVERYONE, False) and response.has_header("Vary"):
            kept = [
                field
                for field in cc_delim_re.split(response["Vary"])
                if field.lower() not in {"cookie", "accept-language"}
            ]
            response["Vary"] = ", ".join(kept)
        if _holds_secrets(request, response):
            return response
        return super().process_response(request, response)


def _holds_secrets(request: HttpRequest, response: HttpResponseBase) -> bool:
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    # Only now look at the user: reading it loads the session, and a response that read
    # the session varies by cookie, which a script or catalogue must not (it is cached).
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated
