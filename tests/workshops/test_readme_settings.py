"""The README names every rate limit an operator can set, each by its own name."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
SETTINGS = (ROOT / "config" / "settings.py").read_text()


def test_no_setting_is_named_by_a_wildcard() -> None:
    assert re.findall(r"`[A-Z0-9_]*\*[A-Z0-9_]*`", README) == []


def test_every_rate_limit_variable_is_spelled_out() -> None:
    names = set(re.findall(r'"(SAMSKAB_RATE_[A-Z_]+)"', SETTINGS))
    assert len(names) >= 6
    missing = sorted(name for name in names if f"`{name}`" not in README)
    assert missing == []


def test_every_variable_the_settings_read_is_documented() -> None:
    read = set(re.findall(r'(?:environ\.get|env[a-z]+)\(\s*"([A-Z][A-Z0-9_]+)"', SETTINGS))
    docs = README + "".join(p.read_text() for p in (ROOT / "docs").glob("*.md"))
    assert len(read) >= 40
    assert sorted(name for name in read if f"`{name}`" not in docs) == []
