"""The room page every joining phone is answered with is rendered once, and each is theirs alone.

workshops.room_shells keeps the page of a citizen who has just joined and fills in
their name, their form token, their idea form's key and their snapshot. A page so
made must read exactly as one rendered for them, and never carry another's.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from tests.factories import IdeaFactory, ParticipantFactory
from workshops import views
from workshops.models import Workshop
from workshops.room_cache import room_changed

pytestmark = pytest.mark.django_db

SNAPSHOT = re.compile(r'<script id="room-snapshot" type="application/json">(.*?)</script>', re.S)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CLIENT_KEY = re.compile(r'name="client_key" value="([^"]*)"')
SERVER_TIME = re.compile(r'data-server-time="([^"]*)"')


def join(client: Client, workshop: Workshop, name: str) -> str:
    response = client.post(
        reverse("workshops:join", kwargs={"code": workshop.join_code}), {"display_name": name}
    )
    assert response.status_code == 200
    return response.content.decode()


def snapshot_in(page: str) -> dict[str, Any]:
    found = SNAPSHOT.search(page)
    assert found is not None
    snapshot: dict[str, Any] = json.loads(found[1])
    return snapshot


def without_what_is_theirs(page: str) -> str:
    page = CSRF.sub('name="csrfmiddlewaretoken" value="-"', page)
    page = CLIENT_KEY.sub('name="client_key" value="-"', page)
    page = SERVER_TIME.sub('data-server-time="-"', page)
    return SNAPSHOT.sub("", page)


def test_each_joiner_gets_their_own_name_token_key_and_snapshot(workshop: Workshop) -> None:
    IdeaFactory(author=ParticipantFactory(workshop=workshop), text="Benches by the river")
    room_changed(workshop.pk)
    first = join(Client(), workshop, "Curious Otter")
    second = join(Client(), workshop, 'Ann & <b>"Bo"</b>')

    assert "Curious Otter" not in second
    # As the room keeps it (markup taken out), and escaped where the page shows it.
    name = snapshot_in(second)["you"]["display_name"]
    assert name.startswith('Ann & "Bo"')
    assert f"<span data-your-name>{escape(name)}</span>" in second
    assert f'value="{escape(name)}" autocomplete="nickname"' in second
    assert (
        snapshot_in(first)["you"]["participant_id"] != snapshot_in(second)["you"]["participant_id"]
    )
    assert CSRF.findall(first)[0] != CSRF.findall(second)[0]
    assert CLIENT_KEY.findall(first) != CLIENT_KEY.findall(second)
    assert all(CLIENT_KEY.findall(second))
    assert SERVER_TIME.findall(second) == [snapshot_in(second)["server_time"]]
    assert "Benches by the river" in second
    assert "shell" not in second.replace("shelter", "")


def test_a_kept_page_reads_as_one_rendered_for_the_joiner(
    workshop: Workshop, monkeypatch: pytest.MonkeyPatch
) -> None:
    IdeaFactory(author=ParticipantFactory(workshop=workshop), text="Benches by the river")
    room_changed(workshop.pk)
    join(Client(), workshop, "Early Bird")  # the page is kept from here on
    kept = join(Client(), workshop, "Curious Otter")
    monkeypatch.setattr(views, "_alike_for_all_joining", lambda *args: False)
    rendered = join(Client(), workshop, "Curious Otter")

    assert without_what_is_theirs(kept) == without_what_is_theirs(rendered)
    kept_snapshot, rendered_snapshot = snapshot_in(kept), snapshot_in(rendered)
    for snapshot in (kept_snapshot, rendered_snapshot):
        for field in ("server_time", "version", "participant_count", "participant_count_as_of"):
            snapshot.pop(field)
        snapshot["you"].pop("participant_id")
        snapshot["voting"].pop("tallies_as_of")
    assert kept_snapshot == rendered_snapshot


def test_a_joiner_after_a_new_idea_sees_it(workshop: Workshop) -> None:
    before = join(Client(), workshop, "Curious Otter")
    assert "No ideas yet." in before.split('id="room-config"')[0]
    IdeaFactory(author=ParticipantFactory(workshop=workshop), text="A library bus")
    room_changed(workshop.pk)

    after = join(Client(), workshop, "Brave Lynx")

    assert "A library bus" in after.split('id="room-config"')[0]
    assert [idea["text"] for idea in snapshot_in(after)["ideas"]] == ["A library bus"]


def test_the_kept_pages_form_token_is_accepted(workshop: Workshop) -> None:
    join(Client(), workshop, "Early Bird")
    phone = Client(enforce_csrf_checks=True)
    page = phone.get(reverse("workshops:join", kwargs={"code": workshop.join_code}))
    token = CSRF.search(page.content.decode())
    assert token is not None
    room = phone.post(
        reverse("workshops:join", kwargs={"code": workshop.join_code}),
        {"display_name": "Curious Otter", "csrfmiddlewaretoken": token[1]},
    ).content.decode()
    rename_token = CSRF.search(room)
    assert rename_token is not None

    renamed = phone.post(
        reverse("workshops:rename", kwargs={"code": workshop.join_code}),
        {"display_name": "Brave Lynx", "csrfmiddlewaretoken": rename_token[1]},
    )

    assert renamed.status_code == 302
    assert workshop.participants.filter(display_name="Brave Lynx").exists()


# The join page's inline stylesheet and script, each under this response's nonce.
NONCE = re.compile(r'<(?:style|script) nonce="([^"]+)"')
YOUR_NAME = re.compile(r"<span data-your-name>([^<]*)</span>")
RENAME_INPUT = re.compile(r'name="display_name" maxlength="40" value="([^"]*)"')
NAME_INPUT = re.compile(r'name="display_name" value="([^"]*)"')


def join_page(client: Client, workshop: Workshop) -> tuple[str, str]:
    response = client.get(reverse("workshops:join", kwargs={"code": workshop.join_code}))
    assert response.status_code == 200
    return response.content.decode(), response["Content-Security-Policy"]


def test_each_phone_gets_its_own_join_page_token_name_and_nonce(workshop: Workshop) -> None:
    pages = [join_page(Client(), workshop) for _ in range(3)]

    tokens = {CSRF.findall(page)[0] for page, _policy in pages}
    nonces = {NONCE.findall(page)[0] for page, _policy in pages}
    assert len(tokens) == 3
    assert len(nonces) == 3
    for page, policy in pages:
        # The inline stylesheet and script are allowed by this response's own nonce.
        style, *scripts = NONCE.findall(page)
        assert scripts == [style, style]
        assert f"style-src 'self' 'nonce-{style}'" in policy
        assert f"script-src 'self' 'nonce-{style}'" in policy
        assert NAME_INPUT.findall(page)[0]
        assert "shell" not in page.replace("shelter", "")


def test_a_kept_join_page_reads_as_one_rendered_for_the_phone(
    workshop: Workshop, monkeypatch: pytest.MonkeyPatch
) -> None:
    IdeaFactory(author=ParticipantFactory(workshop=workshop), text="Benches by the river")
    room_changed(workshop.pk)
    join_page(Client(), workshop)  # kept from here on
    kept, _policy = join_page(Client(), workshop)
    monkeypatch.setattr(views, "_alike_for_all", lambda *args: False)
    rendered, _policy = join_page(Client(), workshop)

    def without_what_is_theirs(page: str) -> str:
        page = CSRF.sub('name="csrfmiddlewaretoken" value="-"', page)
        page = CLIENT_KEY.sub('name="client_key" value="-"', page)
        page = SERVER_TIME.sub('data-server-time="-"', page)
        page = NONCE.sub("<nonce>", page)
        page = YOUR_NAME.sub("<span data-your-name>-</span>", page)
        page = RENAME_INPUT.sub('name="display_name" maxlength="40" value="-"', page)
        return NAME_INPUT.sub('name="display_name" value="-"', page)

    assert without_what_is_theirs(kept) == without_what_is_theirs(rendered)


def test_the_join_page_holds_the_room_until_the_phone_has_joined(workshop: Workshop) -> None:
    IdeaFactory(author=ParticipantFactory(workshop=workshop), text="Benches by the river")
    room_changed(workshop.pk)
    page, _policy = join_page(Client(), workshop)

    before, room = page.split('<template data-join-room="content">')
    # The name form first; the room waits, inert, with the suggested name as its own.
    assert "data-join-form" in before
    assert "data-idea-list" in room
    # Its wall holds no ideas: the room's script draws them from the snapshot the join
    # brings, so they do not travel twice.
    assert "Benches by the river" not in page
    name = NAME_INPUT.findall(page)[0]
    assert YOUR_NAME.findall(page) == [name]
    # Nobody has joined: no snapshot of anyone's in the page (it comes with the join).
    assert '<script id="room-snapshot" type="application/json">null</script>' in page


def test_a_changed_workshop_is_on_the_next_join_page(workshop: Workshop) -> None:
    join_page(Client(), workshop)
    Workshop.objects.filter(pk=workshop.pk).update(title="Benches by the river", revision=7)

    page, _policy = join_page(Client(), workshop)

    assert "Benches by the river" in page
