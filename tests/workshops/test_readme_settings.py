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
