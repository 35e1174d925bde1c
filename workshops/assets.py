"""The room's scripts as one file, and what the join page carries inline: fewer round trips.

A phone on a slow network pays a round trip for each file a page loads, and a browser
asks a server for at most six at once, so the room's scripts and the catalogue of their
translations cost a second wave of round trips. Served as one bundle per language (the
catalogue first, then the scripts in the order the room needs them) under a name that
carries its digest, they cost one request, which browsers keep for a year.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils import translation

from . import registry


def room_scripts() -> list[str]:
    """The DOM helpers every script shares, the room's own script, then each app's part
    (registered in workshops.registry), which hooks into window.SamskabRoom before the room
    starts (see static/workshops/room.js)."""
    return ["components/dom.js", "workshops/room.js", *registry.SCRIPTS]


@dataclass(frozen=True)
class Bundle:
    digest: str
    body: bytes


def _static_text(name: str) -> bytes:
    path = finders.find(name)
    if not path or isinstance(path, list):
        raise FileNotFoundError(name)
    return Path(path).read_bytes()


def _catalogue(language: str) -> bytes:
    """Django's JavaScript catalogue of translations (gettext, ngettext) in this language."""
    from django.test import RequestFactory
    from django.views.i18n import JavaScriptCatalog

    with translation.override(language):
        request = RequestFactory().get("/jsi18n/")
        response = JavaScriptCatalog.as_view()(request)
    return bytes(response.content)  # type: ignore[attr-defined]


def _build(language: str) -> Bundle:
    # Each file is one self-contained function; a line between them keeps a file that
    # ends without a newline or semicolon from running into the next.
    parts = [_catalogue(language), *(_static_text(name) for name in room_scripts())]
    body = b"\n;\n".join(parts) + b"\n"
    return Bundle(digest=hashlib.sha256(body).hexdigest()[:12], body=body)


@lru_cache(maxsize=8)
def _built(language: str) -> Bundle:
    return _build(language)


def room_bundle(language: str) -> Bundle:
    """The bundle; read afresh on every call on a laptop, where the files change."""
    if settings.DEBUG or settings.WHITENOISE_AUTOREFRESH:
        return _build(language)
    return _built(language)


@lru_cache(maxsize=8)
def _kept_text(name: str) -> str:
    return _static_text(name).decode()


def inline_text(name: str) -> str:
    """A stylesheet's or script's text, for a page that carries it inline (under the CSP's
    nonce); read afresh on every call on a laptop, where the files change."""
    if settings.DEBUG or settings.WHITENOISE_AUTOREFRESH:
        return _static_text(name).decode()
    return _kept_text(name)


@lru_cache(maxsize=1)
def icon_data_uri() -> str:
    """The site's SVG icon as a data: address, so no page spends a request on it."""
    svg = " ".join(_static_text("icons/samskab.svg").decode().split())
    return "data:image/svg+xml," + quote(svg, safe=" =:/'\"")
