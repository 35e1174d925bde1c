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

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware


class CompressionMiddleware(GZipMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
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
