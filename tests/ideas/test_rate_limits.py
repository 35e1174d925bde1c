"""Edits and grouping have limits of their own, like posts and votes: past one, nothing changes."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.cache import cache
from django.test import override_settings

from ideas import grouping
from ideas.models import Cluster, Idea
from ideas.services import idea_edit, idea_withdraw
from tests.factories import IdeaFactory, ParticipantFactory, actor_for
from workshops.actors import Actor
from workshops.errors import ActionRefused
from workshops.limits import rate_limited
from workshops.models import Workshop
from workshops.phases import Phase

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counts() -> None:
    # The counters live in the cache, which outlives a test's database.
    cache.clear()


@override_settings(SAMSKAB_RATE_LIMITS={"edit": "2/m"})
def test_a_third_edit_within_a_minute_is_refused_and_the_words_stay(workshop: Workshop) -> None:
    citizen = actor_for("citizen", workshop, Phase.IDEATE)
    idea = IdeaFactory(author=citizen.participant, text="Free wifi")
    idea_edit(actor=citizen, idea_id=idea.pk, text="Free wifi in the library")
    idea_edit(actor=citizen, idea_id=idea.pk, text="Free wifi in every library")

    with pytest.raises(ActionRefused) as refused:
        idea_edit(actor=citizen, idea_id=idea.pk, text="Free wifi everywhere")
    with pytest.raises(ActionRefused):
        idea_withdraw(actor=citizen, idea_id=idea.pk)

    assert refused.value.code == "rate_limited"
    assert refused.value.message == "That was a lot at once. Wait a moment, then try again."
    idea.refresh_from_db()
    assert (idea.text, idea.status) == ("Free wifi in every library", Idea.Status.PUBLISHED)


@override_settings(SAMSKAB_RATE_LIMITS={"group_per_address": "2/m"})
def test_a_facilitator_moving_the_board_too_fast_from_one_address_is_refused(
    workshop: Workshop,
) -> None:
    host = dataclasses.replace(
        actor_for("facilitator", workshop, Phase.GROUP), address="203.0.113.9"
    )
    author = ParticipantFactory(workshop=workshop)
    idea = IdeaFactory(author=author, text="Bike lanes")
    bikes = grouping.cluster_create(actor=host, name="Bikes")
    grouping.idea_move(actor=host, idea_id=idea.pk, cluster_id=bikes.pk)

    with pytest.raises(ActionRefused) as refused:
        grouping.cluster_rename(actor=host, cluster_id=bikes.pk, name="Cycling")

    assert refused.value.code == "rate_limited"
    assert Cluster.objects.get(pk=bikes.pk).name == "Bikes"
    # Another address is counted on its own.
    elsewhere = dataclasses.replace(host, address="198.51.100.4")
    assert grouping.cluster_rename(actor=elsewhere, cluster_id=bikes.pk, name="Cycling").name == (
        "Cycling"
    )


@override_settings(SAMSKAB_RATE_LIMITS={"group": "1/m"})
def test_a_citizen_grouping_is_counted_per_participant(workshop: Workshop) -> None:
    Workshop.objects.filter(pk=workshop.pk).update(participants_may_group=True)
    citizen: Actor = actor_for("citizen", workshop, Phase.GROUP)
    host = actor_for("facilitator", workshop)
    bikes = grouping.cluster_create(actor=host, name="Bikes")
    first, second = (
        IdeaFactory(author=ParticipantFactory(workshop=workshop), text=text)
        for text in ("Bike lanes", "Bike parking")
    )
    grouping.idea_move(actor=citizen, idea_id=first.pk, cluster_id=bikes.pk)

    with pytest.raises(ActionRefused) as refused:
        grouping.idea_move(actor=citizen, idea_id=second.pk, cluster_id=bikes.pk)

    assert refused.value.code == "rate_limited"
    second.refresh_from_db()
    assert second.cluster_id is None


def test_a_long_wait_is_said_in_minutes_and_a_short_one_as_a_moment() -> None:
    assert rate_limited(3044).message == "That was a lot at once. Try again in 51 minutes."
    assert rate_limited(3044).retry_after == 3044
    assert rate_limited(30).message == "That was a lot at once. Wait a moment, then try again."
