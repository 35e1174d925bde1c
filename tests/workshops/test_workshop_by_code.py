"""A room's pages and socket find its workshop by code as it is now, whatever was typed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from workshops.codes import new_join_code
from workshops.models import Workshop
from workshops.phases import Phase
from workshops.selectors import workshop_by_code

pytestmark = pytest.mark.django_db


def test_the_code_finds_the_workshop_exactly_as_stored(workshop: Workshop) -> None:
    Workshop.objects.filter(pk=workshop.pk).update(
        phase=Phase.IDEATE, phase_ends_at=timezone.now() + timedelta(minutes=5), revision=7
    )
    stored = Workshop.objects.get(pk=workshop.pk)
    found = workshop_by_code(code=workshop.join_code)
    assert found is not None
    assert found.pk == stored.pk
    for field in Workshop._meta.concrete_fields:
        value = getattr(found, field.attname)
        assert value == getattr(stored, field.attname), field.name
        assert type(value) is type(getattr(stored, field.attname)), field.name
    assert found.phase_ends_at is not None and timezone.is_aware(found.phase_ends_at)
    assert not found._state.adding
    # Saved again, it stays the same row.
    found.title = "Renamed"
    found.save(update_fields=["title"])
    assert Workshop.objects.get(pk=workshop.pk).title == "Renamed"


def test_a_change_shows_at_the_next_read(workshop: Workshop) -> None:
    assert workshop_by_code(code=workshop.join_code).phase != Phase.CLOSED  # type: ignore[union-attr]
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.CLOSED)
    assert workshop_by_code(code=workshop.join_code).phase == Phase.CLOSED  # type: ignore[union-attr]


def test_a_code_is_found_however_typed_and_a_wrong_one_finds_nothing(workshop: Workshop) -> None:
    code = workshop.join_code
    typed = f" {code[:3].lower()}-{code[3:]} "
    assert workshop_by_code(code=typed).pk == workshop.pk  # type: ignore[union-attr]
    other = new_join_code()
    while other == code:
        other = new_join_code()
    assert workshop_by_code(code=other) is None
    assert workshop_by_code(code="x' OR '1'='1") is None
