"""A join costs the server few queries, and the wall every joiner sees alike is theirs exactly.

A thousand phones join a room within seconds (docs/deploy.md, *Joins*); each query of
the join page, the form and the socket's first snapshot is paid a thousand times. The
counts below are what a join needs today: a change that adds a query to the join
fails here and has to say why it is worth it.
"""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import join_by_page
from tests.factories import IdeaFactory, ParticipantFactory
from workshops.consumers import _resolve
from workshops.models import Workshop
from workshops.room_cache import room_changed
from workshops.selectors import room_snapshot, room_snapshot_current
from workshops.sessions import SessionStore

pytestmark = pytest.mark.django_db

TRANSACTION_STATEMENTS = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SNAPSHOT = re.compile(r'<script id="room-snapshot" type="application/json">(.*?)</script>', re.S)
# The join page: the workshop (read once, by the language middleware, for the view too),
# the session's insert (a new key needs no question first): the page makes the phone's
# session, which joining over the socket needs (workshops.views.join).
JOIN_PAGE_QUERIES = 2
# The form: the workshop, then in one transaction the session read under its row's lock
# (a socket joining the same phone meanwhile makes no second participant), the
# participant's insert and the room's count (the snapshot takes that count; the room's
# parts come from the cache; a person who has just joined has no parts of their own to
# read) and the session's update.
JOIN_FORM_QUERIES = 5
# The socket of a page whose snapshot is still current (it sends the page's version):
# the workshop, the participant with their standing, the room's count; the session
# comes from the cache (workshops.sessions) and the rest of the room is the page's.
SOCKET_QUERIES = 3
# A socket that sends no version (an older client): the snapshot as above, with the
# person's own parts read.
SOCKET_QUERIES_WITHOUT_VERSION = 8


def _join_page(client: Client, workshop: Workshop) -> str:
    response = client.get(reverse("workshops:join", kwargs={"code": workshop.join_code}))
    assert response.status_code == 200
    token = CSRF_INPUT.search(response.text)
    assert token is not None
    return token[1]


def test_a_join_needs_no_more_queries_than_counted(workshop: Workshop) -> None:
    # A room already in use: a wall to read, a warm cache, and someone who joined before.
    IdeaFactory(author__workshop=workshop, text="Benches by the river")
    early = join_by_page(Client(), workshop, "Early Bird")
    early.get(reverse("workshops:room", kwargs={"code": workshop.join_code}))
    phone = Client()

    with CaptureQueriesContext(connection) as page:
        token = _join_page(phone, workshop)
    with CaptureQueriesContext(connection) as form:
        response = phone.post(
            reverse("workshops:join", kwargs={"code": workshop.join_code}),
            {"display_name": "Curious Otter", "csrfmiddlewaretoken": token},
        )
    assert response.status_code == 200
    assert "Benches by the river" in response.text

    embedded = SNAPSHOT.search(response.text)
    assert embedded is not None
    version = json.loads(embedded[1])["version"]

    # The socket's database work, as workshops.consumers.RoomConsumer does it on connect,
    # with the page's version (as the room's script sends it) and without.
    with CaptureQueriesContext(connection) as socket:
        session = SessionStore(phone.cookies["sessionid"].value)
        actor = _resolve(workshop.join_code, AnonymousUser(), session, False, "127.0.0.1")
        assert actor is not None
        current = room_snapshot_current(actor=actor, since=version)
    assert current is not None
    assert current["you"]["display_name"] == "Curious Otter"
    with CaptureQueriesContext(connection) as old_socket:
        session = SessionStore(phone.cookies["sessionid"].value)
        actor = _resolve(workshop.join_code, AnonymousUser(), session, False, "127.0.0.1")
        assert actor is not None
        snapshot = room_snapshot(actor=actor)
    assert snapshot["you"]["display_name"] == "Curious Otter"

    def statements(captured: CaptureQueriesContext) -> list[str]:
        # A transaction's own statements (a savepoint under the test's transaction) are
        # not queries the join could save.
        return [
            query["sql"]
            for query in captured.captured_queries
            if not query["sql"].startswith(TRANSACTION_STATEMENTS)
        ]

    assert len(statements(page)) <= JOIN_PAGE_QUERIES, statements(page)
    assert len(statements(form)) <= JOIN_FORM_QUERIES, statements(form)
    assert len(statements(socket)) <= SOCKET_QUERIES, statements(socket)
    assert len(statements(old_socket)) <= SOCKET_QUERIES_WITHOUT_VERSION, statements(old_socket)


def test_the_joining_pages_snapshot_is_what_a_fresh_read_gives(workshop: Workshop) -> None:
    # The form answers with a snapshot made without asking for the person's own parts
    # (workshops.actors, just_joined): it must read exactly as one that asked.
    IdeaFactory(author__workshop=workshop, text="Benches by the river")
    phone = Client()
    token = _join_page(phone, workshop)
    page = phone.post(
        reverse("workshops:join", kwargs={"code": workshop.join_code}),
        {"display_name": "Curious Otter", "csrfmiddlewaretoken": token},
    ).text
    embedded = re.search(
        r'<script id="room-snapshot" type="application/json">(.*?)</script>', page, re.S
    )
    assert embedded is not None
    joined = json.loads(embedded[1])
    session = SessionStore(phone.cookies["sessionid"].value)
    actor = _resolve(workshop.join_code, AnonymousUser(), session, False, "127.0.0.1")
    assert actor is not None
    fresh = json.loads(json.dumps(room_snapshot(actor=actor)))
    for snapshot in (joined, fresh):
        snapshot.pop("server_time")
        snapshot["voting"].pop("tallies_as_of")
    assert joined == fresh
    assert joined["voting"]["mine"] is not None
    assert joined["moderation"]["your_held"] == []


def test_the_wall_is_shared_but_each_author_sees_their_own_ideas_marked(
    workshop: Workshop,
) -> None:
    author = join_by_page(Client(), workshop, "Curious Otter")
    participant = workshop.participants.get(display_name="Curious Otter")
    IdeaFactory(author=participant, text="Benches by the river")
    IdeaFactory(author=ParticipantFactory(workshop=workshop), text="A library bus")
    room_changed(workshop.pk)

    newcomer = join_by_page(Client(), workshop, "Brave Lynx")
    room = reverse("workshops:room", kwargs={"code": workshop.join_code})
    newcomer_page = newcomer.get(room).text
    author_page = author.get(room).text
    # Both see every idea, newest on top.
    for page in (newcomer_page, author_page):
        assert page.index("A library bus") < page.index("Benches by the river")
    # Only the author is told which idea is theirs, and may change it.
    assert "idea-mine" in author_page
    assert "· your idea" in author_page
    assert "Change or withdraw" in author_page
    assert "idea-mine" not in newcomer_page
    assert "· your idea" not in newcomer_page
    assert "Change or withdraw" not in newcomer_page


def test_a_new_idea_is_on_the_wall_of_the_next_page(workshop: Workshop) -> None:
    first = join_by_page(Client(), workshop, "Curious Otter")
    room = reverse("workshops:room", kwargs={"code": workshop.join_code})
    assert "No ideas yet." in first.get(room).text.split('id="room-config"')[0]

    IdeaFactory(author=ParticipantFactory(workshop=workshop), text="A library bus")
    room_changed(workshop.pk)

    page = join_by_page(Client(), workshop, "Brave Lynx").get(room).text
    assert "A library bus" in page
    assert "data-wall-empty hidden" in page


def test_the_wall_speaks_each_readers_language(workshop: Workshop) -> None:
    IdeaFactory(author=ParticipantFactory(workshop=workshop), text="A library bus")
    room = reverse("workshops:room", kwargs={"code": workshop.join_code})
    pages = {}
    for language in ("en", "da"):
        phone = Client()
        # The phone's own choice of language (the switch on every page).
        phone.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        join_by_page(phone, workshop, f"Reader {language}")
        pages[language] = phone.get(room).text
    assert '<h2 id="wall-heading">Ideas' in pages["en"]
    assert '<h2 id="wall-heading">Idéer' in pages["da"]


def test_the_pages_snapshot_reads_as_the_room_holds_it(workshop: Workshop) -> None:
    IdeaFactory(author=ParticipantFactory(workshop=workshop), text="Bænke ved åen </script>")
    phone = join_by_page(Client(), workshop, "Søren")
    page = phone.get(reverse("workshops:room", kwargs={"code": workshop.join_code})).text
    embedded = re.search(
        r'<script id="room-snapshot" type="application/json">(.*?)</script>', page, re.S
    )
    assert embedded is not None
    # Nothing in it can end the element early, and it reads back as the room's words.
    assert "</script>" not in embedded[1]
    snapshot = json.loads(embedded[1])
    assert [idea["text"] for idea in snapshot["ideas"]] == ["Bænke ved åen </script>"]
    assert snapshot["you"]["display_name"] == "Søren"
