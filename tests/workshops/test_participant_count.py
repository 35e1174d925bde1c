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
    assert participant_count(workshop=workshop) == 0
    ParticipantFactory.create_batch(2, workshop=workshop)
    assert participant_count(workshop=workshop) == 2
    assert participant_count(workshop=other) == 3
    Participant.objects.filter(workshop=workshop).first().delete()  # type: ignore[union-attr]
    assert participant_count(workshop=workshop) == 1
