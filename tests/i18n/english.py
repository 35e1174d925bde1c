"""Finds English in text meant to be Danish or Swedish: pages, mails and exports alike.

Every English source text of the catalogues whose translation differs is looked for,
cut at its placeholders into telling pieces (two words or more, or one long word).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import polib
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[sd]|\{\{[^}]*\}\}")


@cache
def english_source_texts(language: str) -> tuple[str, ...]:
    """Every English text of the catalogues whose translation differs, in telling pieces.

    A single word that the language itself writes (Danish "time" is an hour) tells nothing.
    """
    found: set[str] = set()
    own_words: set[str] = set()
    for domain in ("django", "djangojs"):
        for entry in polib.pofile(str(LOCALE / language / "LC_MESSAGES" / f"{domain}.po")):
            pairs = [(entry.msgid, entry.msgstr or entry.msgstr_plural.get(0, ""))]
            if entry.msgid_plural:
                pairs.append((entry.msgid_plural, entry.msgstr_plural.get(1, "")))
            for source, translated in pairs:
                own_words.update(re.findall(r"[\w-]+", PLACEHOLDER.sub(" ", translated)))
                if source == translated:
                    continue
                for run in PLACEHOLDER.split(source):
                    run = run.strip(" .,:;()…“”!?")
                    if len(run.split()) >= 2 or (" " not in run and len(run) >= 4):
                        found.add(run)
    return tuple(sorted(run for run in found if run not in own_words))


MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Dates, times and numbers written the English way, whatever the catalogues say.
FORMS = [
    *((name, re.compile(rf"\b{name}\b")) for name in (*MONTHS, *DAYS)),
    ("a date as month/day/year", re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b")),
    ("a time with a.m. or p.m.", re.compile(r"\b\d{1,2}(?::\d{2})?\s?(?:[ap]\.m\.|[AP]M)(?!\w)")),
    ("thousands grouped with a comma", re.compile(r"\b\d{1,3}(?:,\d{3})+(?![,\d])")),
]


class English:
    """The English pieces found in a text, leaving out what people typed."""

    def __init__(self, language: str, typed: list[str] | tuple[str, ...] = ()) -> None:
        self.language = language
        self.typed = sorted(typed, key=len, reverse=True)
        self.patterns = [
            (words, re.compile(rf"(?<![\w-]){re.escape(words)}(?![\w-])"))
            for words in english_source_texts(language)
        ]

    def found_in(self, text: str) -> list[str]:
        """Each English piece found, with a little of the text around it."""
        for words in self.typed:
            text = text.replace(words, " ")
        # Addresses and paths are not read as words.
        text = re.sub(r"https?://\S+|(?<!\S)/\S*", " ", text)
        found = []
        for words, pattern in [*self.patterns, *FORMS]:
            match = pattern.search(text)
            if match:
                around = " ".join(text[max(match.start() - 30, 0) : match.end() + 30].split())
                found.append(f"{words} (in “{around}”)")
        return found
