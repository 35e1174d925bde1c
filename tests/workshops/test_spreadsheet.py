"""Cells a spreadsheet would run as formulas are exported as text."""

from __future__ import annotations

import csv
import io

import pytest

from tests.factories import HOSTILE_FORMULA
from workshops.spreadsheet import csv_text, spreadsheet_safe


@pytest.mark.parametrize(
    "cell",
    [HOSTILE_FORMULA, "=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("x")'],
)
def test_a_formula_becomes_text(cell: str) -> None:
    assert spreadsheet_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Free wifi", "Open at 9 = better", "", "a-b", "1+1"])
def test_ordinary_text_is_untouched(cell: str) -> None:
    assert spreadsheet_safe(cell) == cell


def test_numbers_stay_numbers() -> None:
    assert (spreadsheet_safe(-5), spreadsheet_safe(3), spreadsheet_safe(None)) == ("-5", "3", "")


def test_every_cell_of_a_csv_is_neutralised() -> None:
    text = csv_text(["=header"], [[HOSTILE_FORMULA, "fine", 7]])

    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["'=header"], ["'" + HOSTILE_FORMULA, "fine", "7"]]
