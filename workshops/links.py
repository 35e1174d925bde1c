"""The addresses a workshop is reached by, as people see and type them."""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from .models import Workshop


def absolute_url(request: HttpRequest, path: str) -> str:
    if settings.SITE_URL:
        return settings.SITE_URL + path
    return request.build_absolute_uri(path)


# Where mails and other messages sent without a request link to when SITE_URL is not
# set: the address `make run` serves by default.
FALLBACK_SITE_URL = "http://127.0.0.1:8000"


def site_link(path: str) -> str:
    """A full link built without a request (mails sent by the background worker)."""
    return (settings.SITE_URL or FALLBACK_SITE_URL) + path


def join_url(request: HttpRequest, workshop: Workshop) -> str:
    return absolute_url(request, reverse("workshops:join", kwargs={"code": workshop.join_code}))


def typeable(url: str) -> str:
    """The link as it is read off a projector: no scheme, nothing extra to type."""
    return url.split("://", 1)[-1]


def qr_svg(url: str, *, title: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=10, border=2, title=title, xmldecl=False, svgns=True
    )
    return buffer.getvalue()
