"""The moderation log is only ever added to, by services, and read by facilitators."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from moderation.models import ModerationAction
from moderation.services import idea_hide
from tests.factories import IdeaFactory, ParticipantFactory, UserFactory
from workshops.actors import Actor
from workshops.append_only import AppendOnlyError
from workshops.models import Workshop

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(workshop: Workshop, facilitator_actor: Actor) -> ModerationAction:
    idea = IdeaFactory(author=ParticipantFactory(workshop=workshop))
    idea_hide(actor=facilitator_actor, idea_id=idea.pk, reason="Off topic")
    return ModerationAction.objects.get()


def test_a_service_records_who_what_when_and_why(
    entry: ModerationAction, workshop: Workshop
) -> None:
    assert entry.kind == "hide"
    assert entry.facilitator == workshop.owner
    assert entry.facilitator_email == workshop.owner.email
    assert entry.reason == "Off topic"
    assert entry.created_at is not None


def test_an_entry_cannot_be_changed(entry: ModerationAction) -> None:
    entry.reason = "Nothing happened"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        ModerationAction.objects.filter(pk=entry.pk).update(reason="Nothing happened")
    assert ModerationAction.objects.get().reason == "Off topic"


def test_an_entry_cannot_be_deleted(entry: ModerationAction) -> None:
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        ModerationAction.objects.all().delete()
    assert ModerationAction.objects.count() == 1


def test_the_admin_only_reads_it(entry: ModerationAction) -> None:
    admin = site._registry[ModerationAction]
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(username="root", is_staff=True, is_superuser=True)

    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request, entry)
    assert not admin.has_delete_permission(request, entry)
    assert admin.has_view_permission(request, entry)


@pytest.mark.parametrize(
    ("language", "shown"),
    [("da", "05.03.2026 14:07"), ("sv", "2026-03-05 14:07"), ("en", "5 Mar 2026, 14:07")],
)
def test_the_log_page_shows_times_in_the_readers_language(
    entry: ModerationAction, workshop: Workshop, language: str, shown: str
) -> None:
    from datetime import UTC, datetime

    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    # 13:07 UTC is 14:07 in Copenhagen and Stockholm in March.
    moment = datetime(2026, 3, 5, 13, 7, tzinfo=UTC)
    # The log refuses changes, so a line is written afresh at the chosen moment.
    line = ModerationAction(workshop=workshop, kind="hide", reason="Off topic", created_at=moment)
    line.save()
    client = Client()
    client.force_login(workshop.owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("moderation:log", kwargs={"code": workshop.join_code}))
    body = page.content.decode()
    assert shown in body
    assert '<time datetime="2026-03-05T13:07:00+00:00">' in body
