"""After a workshop's retention period its names and session links go; ideas and votes stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.utils import timezone

from ideas.models import Idea
from moderation.models import ModerationAction, ModerationSettings
from tests.factories import IdeaFactory, ParticipantFactory, WorkshopFactory, session_for
from workshops.actors import actor_resolve
from workshops.models import Participant, Workshop
from workshops.phases import Role

pytestmark = pytest.mark.django_db


def aged(days: int, retention: int | None = None) -> Workshop:
    workshop = WorkshopFactory()
    Workshop.objects.filter(pk=workshop.pk).update(created_at=timezone.now() - timedelta(days=days))
    if retention is not None:
        ModerationSettings.objects.create(workshop=workshop, retention_days=retention)
    return Workshop.objects.get(pk=workshop.pk)


def test_the_command_erases_only_expired_workshops() -> None:
    expired = aged(40)  # the default is 30 days
    custom = aged(10, retention=7)
    current = aged(10, retention=30)
    people = {
        w.pk: ParticipantFactory(workshop=w, display_name="Kind Heron")
        for w in (expired, custom, current)
    }
    ideas = {
        w.pk: IdeaFactory(author=people[w.pk], text="Benches") for w in (expired, custom, current)
    }
    old_session = session_for(participant=people[expired.pk])

    call_command("erase_expired_personal_data")

    for workshop in (expired, custom):
        participant = Participant.objects.get(pk=people[workshop.pk].pk)
        assert participant.display_name == ""
        assert participant.key != people[workshop.pk].key
        idea = Idea.objects.get(pk=ideas[workshop.pk].pk)
        assert (idea.text, idea.author_id) == ("Benches", None)
    assert Participant.objects.get(pk=people[current.pk].pk).display_name == "Kind Heron"
    assert Idea.objects.get(pk=ideas[current.pk].pk).author_id == people[current.pk].pk
    # The old session link no longer leads anywhere.
    again = actor_resolve(workshop=expired, user=AnonymousUser(), session=old_session)
    assert again.role is Role.OUTSIDER
    assert ModerationAction.objects.filter(kind="retention").count() == 2


def test_a_second_run_erases_nothing_more() -> None:
    expired = aged(40)
    ParticipantFactory(workshop=expired)
    call_command("erase_expired_personal_data")

    call_command("erase_expired_personal_data")

    assert ModerationAction.objects.filter(kind="retention").count() == 1


def test_a_dry_run_changes_nothing() -> None:
    expired = aged(40)
    participant = ParticipantFactory(workshop=expired, display_name="Kind Heron")

    call_command("erase_expired_personal_data", "--dry-run")

    assert Participant.objects.get(pk=participant.pk).display_name == "Kind Heron"
    assert not ModerationAction.objects.exists()
