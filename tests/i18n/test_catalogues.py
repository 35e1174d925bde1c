"""The Danish and Swedish catalogues: complete, current, compiled, and true to their placeholders.

When one of these fails, docs/translating.md says what to run and what to fill in.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

LANGUAGES = ("da", "sv")
DOMAINS = ("django", "djangojs")
LOCALE = Path(settings.BASE_DIR) / "locale"
CATALOGUES = [(language, domain) for language in LANGUAGES for domain in DOMAINS]

# Python's %(name)s and %s / %d, as Django's gettext, blocktranslate and interpolate use them.
PLACEHOLDER = re.compile(r"%(?:\([A-Za-z_][A-Za-z0-9_]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifr]|%%")
NOT_SOURCES = shutil.ignore_patterns(
    ".git",
    ".venv",
    "node_modules",
    "staticfiles",
    "test-artifacts",
    "__pycache__",
    ".*_cache",
    "*.sqlite3*",
    "*.mo",
)
# What makemessages need not read: it would only slow the copy below.
NOT_SOURCES = shutil.ignore_patterns(
    ".git",
    ".venv",
    "node_modules",
    "staticfiles",
    "test-artifacts",
    "__pycache__",
    ".*_cache",
    "*.sqlite3*",
    "*.mo",
)
ALWAYS_ASKED = "Run: make messages, translate, then python manage.py compilemessages."


def catalogue(language: str, domain: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / f"{domain}.po"))


def entries(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def key(entry: polib.POEntry) -> tuple[str | None, str, str]:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural or "")


def placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text))


def positional(text: str) -> list[str]:
    """The unnamed placeholders in order: a translation must keep their order."""
    return [found for found in PLACEHOLDER.findall(text) if "(" not in found and found != "%%"]


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_every_entry_is_translated_and_none_is_fuzzy(language: str, domain: str) -> None:
    po = catalogue(language, domain)
    untranslated = [entry.msgid for entry in entries(po) if not entry.translated()]
    fuzzy = [entry.msgid for entry in entries(po) if "fuzzy" in entry.flags]
    assert not untranslated, f"{language}/{domain}: not translated: {untranslated}. {ALWAYS_ASKED}"
    assert not fuzzy, f"{language}/{domain}: marked fuzzy, check and unmark: {fuzzy}"
    assert not po.metadata_is_fuzzy


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_translations_keep_the_placeholders(language: str, domain: str) -> None:
    wrong = []
    for entry in entries(catalogue(language, domain)):
        if entry.msgid_plural:
            pairs = [
                (entry.msgid if form == 0 else entry.msgid_plural, text)
                for form, text in sorted(entry.msgstr_plural.items())
            ]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, text in pairs:
            if placeholders(source) != placeholders(text) or positional(source) != positional(text):
                wrong.append((source, text))
    assert not wrong, f"{language}/{domain}: placeholders differ from the English: {wrong}"


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_the_compiled_catalogue_matches(language: str, domain: str) -> None:
    po = catalogue(language, domain)
    mo_path = LOCALE / language / "LC_MESSAGES" / f"{domain}.mo"
    assert mo_path.exists(), f"{mo_path} is missing. {ALWAYS_ASKED}"
    compiled = {
        key(entry): (entry.msgstr, dict(entry.msgstr_plural))
        for entry in polib.mofile(str(mo_path))
        if entry.msgid
    }
    written = {
        key(entry): (entry.msgstr, {int(k): v for k, v in entry.msgstr_plural.items()})
        for entry in entries(po)
        if entry.translated()
    }
    compiled = {k: (s, {int(n): v for n, v in p.items()}) for k, (s, p) in compiled.items()}
    assert compiled == written, (
        f"{mo_path.name} for {language} is older than its .po: run python manage.py compilemessages"
    )


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_the_catalogues_hold_exactly_the_strings_of_the_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What makemessages would find now is what the catalogues hold: nothing new, nothing stale."""
    # makemessages writes beside the sources it reads, so it runs on a copy of them.
    copy = tmp_path / "samskab"
    shutil.copytree(settings.BASE_DIR, copy, ignore=NOT_SOURCES, symlinks=True)
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        for domain in DOMAINS:
            call_command("makemessages", locale=list(LANGUAGES), domain=domain, verbosity=0)
    for language, domain in CATALOGUES:
        committed = {key(entry) for entry in entries(catalogue(language, domain))}
        fresh_po = polib.pofile(str(copy / "locale" / language / "LC_MESSAGES" / f"{domain}.po"))
        fresh = {key(entry) for entry in entries(fresh_po)}
        new, stale = sorted(fresh - committed), sorted(committed - fresh)
        assert not new and not stale, (
            f"{language}/{domain}: the code has strings the catalogue lacks {new} "
            f"and the catalogue has strings the code no longer uses {stale}. {ALWAYS_ASKED}"
        )


# A placeholder that shows how many of something there are: a `d` conversion, or one of
# these names. A percentage, a size in MB, a version or an id is written with a sign or
# a unit rather than a noun that agrees with it, and a placeholder that is already a whole
# phrase ("%(votes_phrase)s from %(supporters_phrase)s") took its plural where it was made.
COUNTED_NAMES = frozenset({
    "count", "total", "limit", "length", "low", "high", "days", "votes", "voters", "supporters",
    "dots", "most", "have", "need", "threshold", "held", "hidden", "examples", "ideas", "people",
    "items",
})  # fmt: skip


def counted(text: str) -> bool:
    for found in PLACEHOLDER.findall(text):
        name = found[2 : found.index(")")] if found.startswith("%(") else ""
        if found.endswith("d") or name in COUNTED_NAMES:
            return True
    return False


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_string_that_shows_a_number_has_plural_forms(domain: str) -> None:
    """ngettext or {% blocktranslate count %}: "1 supporter", "2 supporters", in every language."""
    singular_only = [
        entry.msgid
        for entry in entries(catalogue("da", domain))
        if not entry.msgid_plural and counted(entry.msgid)
    ]
    assert not singular_only, (
        f"{domain}: these show a number but have no plural form; use ngettext (or "
        f"{{% blocktranslate count %}}, or nt() in scripts): {singular_only}"
    )
