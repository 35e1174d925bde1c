"""The room's count of participants is this room's, as it is now."""

from __future__ import annotations

import pytest

from tests.factories import ParticipantFactory, WorkshopFactory
from workshops.models import Participant, Workshop
from workshops.selectors import participant_count

pytestmark = pytest.mark.django_db


def test_the_count_is_of_this_room_only_and_follows_each_join(workshop: Workshop) -> None:
    other = WorkshopFactory(owner=workshop.owner)
    ParticipantFactory.create_batch(3, workshop=other)
    assert participant_count(workshop=workshop) == (0, 0)
    first, second = ParticipantFactory.create_batch(2, workshop=workshop)
    assert participant_count(workshop=workshop) == (2, second.pk)
    assert participant_count(workshop=other).total == 3
    Participant.objects.filter(pk=first.pk).delete()
    assert participant_count(workshop=workshop) == (1, second.pk)


def test_a_count_read_later_is_as_of_a_newer_participant(workshop: Workshop) -> None:
    before = participant_count(workshop=workshop)
    ParticipantFactory(workshop=workshop)
    after = participant_count(workshop=workshop)
    assert after.as_of > before.as_of
    # Down as well as up: a count that goes down is still the later one.
    newest = ParticipantFactory(workshop=workshop)
    Participant.objects.filter(workshop=workshop).exclude(pk=newest.pk).delete()
    assert participant_count(workshop=workshop) == (1, newest.pk)
    assert participant_count(workshop=workshop).as_of > after.as_of
