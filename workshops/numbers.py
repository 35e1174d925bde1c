"""Numbers from text, as the protocol documents them: ASCII digits, and nothing else.

`int()` and `str.isdigit()` disagree about what a digit is: "²" is a digit to
isdigit() and refused by int(); "١٢" (Arabic-Indic) and full-width digits are
taken by both. A form field or a frame that says "--1", "²" or "1e3" must be
refused as `invalid`, never crash a view, and every way in must agree on what a
number is. So every string that becomes a number goes through here.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The most digits taken: every id and count fits, and int() never sees thousands of digits.
MAX_DIGITS = 18
_WHOLE_NUMBER = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}", flags=re.ASCII)
_SIGNED_NUMBER = re.compile(rf"-?[0-9]{{1,{MAX_DIGITS}}}", flags=re.ASCII)
# Spaces and tabs a person may type around a number in a form; nothing else.
_AROUND = " \t"


def number_from_text(raw: str, *, signed: bool = False) -> int | None:
    """The number written as ASCII digits (with one leading "-" when `signed`), else None."""
    text = raw.strip(_AROUND)
    pattern = _SIGNED_NUMBER if signed else _WHOLE_NUMBER
    return int(text) if pattern.fullmatch(text) else None


def number_or_as_sent(raw: Any, *, signed: bool = False) -> Any:
    """A form field as an int when it is a number; otherwise as sent, for the service to refuse.

    Services refuse whatever is not an int as `invalid`, with their own message; this
    keeps that message, and keeps a malformed number from ever reaching int().
    """
    if isinstance(raw, str):
        number = number_from_text(raw, signed=signed)
        return raw if number is None else number
    return raw


def whole_number(raw: Any) -> int | None:
    """A JSON int (not a bool), or a string of ASCII digits, as an int; else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        return number_from_text(raw)
    return None


class WholeNumberField(forms.IntegerField):
    """Django's IntegerField, taking only what number_from_text takes (no "١٢", no "²")."""

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        number = number_from_text(str(value), signed=True)
        if number is None:
            raise ValidationError(_("Enter a whole number, in digits 0-9."), code="invalid")
        return number
