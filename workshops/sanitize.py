"""Cleaning what people type before it is stored."""

from __future__ import annotations

import html
import re
import unicodedata

import bleach

# Control characters other than line breaks and tabs have no place in an idea.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n{3,}")
# Each pass removes at least one level of nesting; real text settles in one or two.
_MAX_STRIP_PASSES = 8


def _strip_markup(text: str) -> str:
    """The text without tags or comments, and with no new ones formed by the removal."""
    for _attempt in range(_MAX_STRIP_PASSES):
        # Escaping "&" first keeps an entity the person typed (``&lt;``) as those
        # characters; decoding it would turn typed text into a tag. bleach returns
        # HTML, which unescape turns back into text.
        stripped = html.unescape(
            bleach.clean(text.replace("&", "&amp;"), tags=set(), attributes={}, strip=True)
        )
        # Removing a tag can join its neighbours into a new one ("<<b>script>"),
        # so strip again until nothing changes.
        if stripped == text:
            return text
        text = stripped
    # Still changing after many passes: this is markup built to evade, not text.
    return ""


def clean_text(raw: str, *, multiline: bool = True) -> str:
    """Plain text from whatever was typed: markup removed, whitespace tidied.

    The result is plain text, not HTML: templates and the page's script escape it
    when they show it, so a string that still looks hostile shows as text.
    """
    text = unicodedata.normalize("NFC", raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Invisible characters go first: removed later, they could join "<" and "script".
    text = _CONTROL.sub("", text)
    text = _strip_markup(text)
    if not multiline:
        text = text.replace("\n", " ")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
