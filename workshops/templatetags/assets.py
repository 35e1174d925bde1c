from __future__ import annotations

import secrets
from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from workshops import room_shells
from workshops.assets import icon_data_uri as _icon_data_uri
from workshops.assets import inline_text, room_bundle
from workshops.languages import language_supported
from workshops.serializers import json_text

register = template.Library()


@register.simple_tag
def room_bundle_url() -> str:
    """The bundle in the language of the page (the catalogue of translations travels in it)."""
    language = language_supported(get_language()) or settings.LANGUAGE_CODE
    bundle = room_bundle(language)
    return reverse("workshops:room_bundle", kwargs={"language": language, "digest": bundle.digest})


@register.simple_tag
def inline_static(name: str) -> SafeString:
    """A stylesheet or script of the project's, for its <style> or <script> element."""
    # Written by us: nothing in it comes from a person, and "</" (the only text that could
    # end the element early) is refused.
    text = inline_text(name)
    if "</" in text:
        raise ValueError(f"{name} cannot be carried inline")
    return mark_safe(text)  # noqa: S308


@register.simple_tag(takes_context=True)
def fresh_key(context: Any) -> str:
    """A random key for one rendered form; on a kept room page a stand-in filled in per page."""
    if context.get("room_shell"):
        return room_shells.KEY
    return secrets.token_urlsafe(16)


@register.simple_tag
def icon_data_uri() -> str:
    return _icon_data_uri()


@register.filter
def room_json_script(value: object, element_id: str) -> SafeString:
    """Django's `json_script`, encoded as the socket encodes the snapshot."""
    # The room's snapshot is large and every joining phone is sent one (json_text).
    # Safe as JSON inside the element: "<", ">" and "&" escaped, as json_script does
    # (by three replacements: str.translate took ~10 ms for a wall of 500 ideas).
    text = json_text(value).replace("&", "\\u0026").replace("<", "\\u003C").replace(">", "\\u003E")
    return format_html(
        '<script id="{}" type="application/json">{}</script>',
        element_id,
        mark_safe(text),  # noqa: S308
    )
