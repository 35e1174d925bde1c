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


def clean_text(raw: str, *, multiline: bool = True) -> str:
    """Plain text from whatever was typed: markup removed, whitespace tidied.

    The result is plain text, not HTML: templates and the page's script escape it
    when they show it, so a string that still looks hostile shows as text.
    """
    text = unicodedata.normalize("NFC", raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # bleach removes every tag and comment; it returns HTML, which we turn back into text.
    text = html.unescape(bleach.clean(text, tags=set(), attributes={}, strip=True))
    text = _CONTROL.sub("", text)
    if not multiline:
        text = text.replace("\n", " ")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
