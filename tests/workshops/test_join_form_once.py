"""A phone joins once when its join page's socket and its form both ask.

The join page sends its form when its socket stops answering a `join`. That `join` may
still go through, and commit between the form's first read of who the phone is and its
own join: the form then finds the participant under the session row's lock, as a second
socket would, and answers with the room for them.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from workshops import services, views
from workshops.actors import Actor
from workshops.models import Participant, Workshop
from workshops.sessions import SessionStore

pytestmark = pytest.mark.django_db
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_a_form_sent_while_the_pages_socket_joined_makes_no_second_participant(
    workshop: Workshop, monkeypatch: pytest.MonkeyPatch
) -> None:
    phone = Client()
    address = reverse("workshops:join", kwargs={"code": workshop.join_code})
    page = phone.get(address)
    token = CSRF.search(page.content.decode())
    assert token is not None
    read_who = views._actor

    def read_then_socket_joins(request: Any, room: Workshop) -> Actor:
        # The form reads who the phone is (nobody yet); then the socket's join commits.
        stale = read_who(request, room)
        key = phone.cookies[settings.SESSION_COOKIE_NAME].value
        services.participant_join_session(
            actor=stale, session=SessionStore(key), display_name="Curious Otter"
        )
        return stale

    monkeypatch.setattr(views, "_actor", read_then_socket_joins)
    answer = phone.post(address, {"display_name": "Curious Otter", "csrfmiddlewaretoken": token[1]})

    assert answer.status_code == 200
    assert "Curious Otter" in answer.content.decode()
    assert list(
        Participant.objects.filter(workshop=workshop).values_list("display_name", flat=True)
    ) == ["Curious Otter"]
    # The phone is that one participant from now on.
    monkeypatch.setattr(views, "_actor", read_who)
    room = phone.get(reverse("workshops:room", kwargs={"code": workshop.join_code}))
    assert room.status_code == 200
    assert Participant.objects.filter(workshop=workshop).count() == 1


def test_a_form_whose_session_expired_meanwhile_still_joins(workshop: Workshop) -> None:
    phone = Client()
    address = reverse("workshops:join", kwargs={"code": workshop.join_code})
    token = CSRF.search(phone.get(address).content.decode())
    assert token is not None
    SessionStore(phone.cookies[settings.SESSION_COOKIE_NAME].value).delete()

    answer = phone.post(address, {"display_name": "Late Heron", "csrfmiddlewaretoken": token[1]})

    assert answer.status_code == 200
    assert list(
        Participant.objects.filter(workshop=workshop).values_list("display_name", flat=True)
    ) == ["Late Heron"]
    room = phone.get(reverse("workshops:room", kwargs={"code": workshop.join_code}))
    assert room.status_code == 200
    assert "Late Heron" in room.content.decode()
