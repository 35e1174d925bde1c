"""Cleaning what people type before it is stored.

What clean_text changes, and nothing else (docs/protocol.md says the same):

- the text is put in Unicode's composed form (NFC), so "é" typed as "e" and a
  combining accent is the same "é" everywhere;
- line breaks become "\n";
- control characters go (all of C0 but tab and line breaks, and DEL), and so do the
  invisible characters that can make text look other than it is: the zero-width
  space U+200B, the direction marks U+200E and U+200F, and the bidirectional
  embeddings, overrides and isolates U+202A to U+202E and U+2066 to U+2069;
- markup goes (tags and comments, see _strip_markup), the words between stay;
- runs of spaces and tabs become one space, lines are trimmed, more than one blank
  line becomes one, and a single-line field loses its line breaks.

The zero-width joiner U+200D and non-joiner U+200C stay: they are part of real
text. The joiner holds emoji sequences together (a family, a rainbow flag), the
non-joiner spells Persian and other scripts right (می‌خواهم).
"""

from __future__ import annotations

import html
import re
import threading
import unicodedata

from bleach.sanitizer import Cleaner

# Control characters other than line breaks and tabs have no place in an idea, nor
# invisible ones that hide or reorder text; U+200C and U+200D are not among them.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
_SPACES = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n{3,}")
# Each pass removes at least one level of nesting; real text settles in one or two.
_MAX_STRIP_PASSES = 8

# bleach.clean builds a Cleaner, and with it an HTML parser, for every call: that was
# most of what cleaning a joiner's name cost (docs/deploy.md, *Joins*). A Cleaner keeps
# its parser's state while it works, so each thread keeps one of its own.
_kept = threading.local()


def _cleaner() -> Cleaner:
    cleaner: Cleaner | None = getattr(_kept, "cleaner", None)
    if cleaner is None:
        # What bleach.clean(tags=set(), attributes={}, strip=True) builds.
        cleaner = _kept.cleaner = Cleaner(tags=set(), attributes={}, strip=True)
    return cleaner


def _strip_markup(text: str) -> str:
    """The text without tags or comments, and with no new ones formed by the removal."""
    # Every tag and comment begins with "<": without one there is nothing to strip (most
    # names and ideas), and the parser would give the same text back.
    if "<" not in text:
        return text
    cleaner = _cleaner()
    for _attempt in range(_MAX_STRIP_PASSES):
        # Escaping "&" first keeps an entity the person typed (``&lt;``) as those
        # characters; decoding it would turn typed text into a tag. bleach returns
        # HTML, which unescape turns back into text.
        stripped = html.unescape(cleaner.clean(text.replace("&", "&amp;")))
        # Removing a tag can join its neighbours into a new one ("<<b>script>"),
        # so strip again until nothing changes.
        if stripped == text:
            return text
        text = stripped
    # Still changing after many passes: this is markup built to evade, not text.
    return ""


def clean_text(raw: str, *, multiline: bool = True) -> str:
    """Plain text from whatever was typed (what changes: see this module's docstring).

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
