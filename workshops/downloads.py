"""File names for downloads that keep the letters people wrote (RFC 6266 and RFC 5987).

A workshop called "Fremtidens bibliotek i Ærø Kommune" is downloaded as
`fremtidens-bibliotek-i-ærø-kommune-summary.pdf`: the name travels percent-encoded in
`filename*`, which every current browser reads, and a plain ASCII `filename` with the
Nordic letters spelt out (`aeroe`) stands in for clients that read only that.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.utils.text import slugify

# How Danish, Norwegian and Swedish write these letters without them, as a reader expects.
_SPELT_OUT = str.maketrans(
    {"æ": "ae", "Æ": "Ae", "ø": "oe", "Ø": "Oe", "å": "aa", "Å": "Aa", "ß": "ss"}
)
_NOT_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def filename_stem(title: str, *, fallback: str = "workshop", length: int = 60) -> str:
    """A title as the start of a file name: lower case, words joined by dashes, letters kept."""
    return slugify(title, allow_unicode=True)[:length].strip("-_") or fallback


def ascii_filename(filename: str) -> str:
    """The name with every letter spelt in ASCII and anything else a header could trip on gone."""
    spelt = unicodedata.normalize("NFKD", filename.translate(_SPELT_OUT))
    plain = spelt.encode("ascii", "ignore").decode("ascii")
    return _NOT_SAFE.sub("-", plain).strip("-") or "download"


def attachment(filename: str) -> str:
    """The Content-Disposition value that downloads `filename` under its own name."""
    return (
        f'attachment; filename="{ascii_filename(filename)}"; '
        f"filename*=UTF-8''{quote(filename, safe='')}"
    )
