"""Join codes survive being read aloud and typed on a phone."""

from __future__ import annotations

import pytest

from tests.factories import WorkshopFactory
from workshops.codes import (
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    looks_like_join_code,
    new_join_code,
    normalize_join_code,
)
from workshops.selectors import workshop_by_code


def test_the_alphabet_has_no_characters_that_read_alike() -> None:
    assert not set("0O1IL") & set(JOIN_CODE_ALPHABET)
    assert JOIN_CODE_ALPHABET.isupper()


def test_new_codes_use_only_the_alphabet() -> None:
    codes = {new_join_code() for _ in range(300)}

    assert all(len(code) == JOIN_CODE_LENGTH for code in codes)
    assert all(set(code) <= set(JOIN_CODE_ALPHABET) for code in codes)
    # Random, not a counter: 300 draws from 31**6 codes do not repeat in practice.
    assert len(codes) > 295


@pytest.mark.parametrize("typed", ["gp6-am2 ", "GP6AM2", " gp6 am2", "Gp6-Am2\t"])
def test_case_spaces_and_dashes_do_not_matter(typed: str) -> None:
    assert normalize_join_code(typed) == "GP6AM2"
    assert looks_like_join_code(normalize_join_code(typed))


@pytest.mark.parametrize("typed", ["GP0AM2", "GPOAM2", "GP1AM2", "GPIAM2", "GP6AM", "GP6AM22"])
def test_codes_outside_the_alphabet_or_length_are_not_codes(typed: str) -> None:
    assert not looks_like_join_code(normalize_join_code(typed))


@pytest.mark.django_db
def test_a_workshop_is_found_by_its_code_as_typed() -> None:
    workshop = WorkshopFactory(join_code="GP6AM2")

    assert workshop_by_code(code="gp6-am2 ") == workshop
    assert workshop_by_code(code="GP6AM3") is None
    assert workshop_by_code(code="../../") is None
