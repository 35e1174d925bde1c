"""How the room's HTTP endpoints answer a page's script: one convention for every app.

A page that asks with `Accept: application/json` gets `{"ok": false, "code",
"message"}` and a status that matches the code (docs/protocol.md); a browser
without script gets the page back instead, which each view decides.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse

from .errors import ActionRefused
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
