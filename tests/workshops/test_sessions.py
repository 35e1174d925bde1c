"""A phone's session, written back by one statement, is the record the next page reads."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import OperationalError, connection
from django.db.backends.utils import CursorWrapper
from django.test.utils import CaptureQueriesContext

from workshops.sessions import SessionStore

pytestmark = pytest.mark.django_db


def _stored() -> SessionStore:
    session = SessionStore()
    session["first"] = "page"
    session.save()
    return session


def test_a_stored_session_is_written_back_by_one_statement_for_database_and_cache() -> None:
    session = _stored()
    key = session.session_key
    assert key is not None
    phone = SessionStore(key)
    phone["participants"] = {"7": "key-of-seven"}
    with CaptureQueriesContext(connection) as queries:
        phone.save()
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["UPDATE"]

    # The database is the record: read without the cache, it holds both keys.
    row = Session.objects.get(session_key=key)
    assert SessionStore().decode(row.session_data) == {
        "first": "page",
        "participants": {"7": "key-of-seven"},
    }
    caches["default"].clear()
    assert SessionStore(key)["participants"] == {"7": "key-of-seven"}


def test_a_session_deleted_meanwhile_is_not_brought_back() -> None:
    session = _stored()
    key = session.session_key
    phone = SessionStore(key)
    assert phone["first"] == "page"  # read by this request
    # Signed out in another tab: the row is gone before this request saves.
    SessionStore(key).delete()
    phone["participants"] = {"7": "key-of-seven"}
    with pytest.raises(UpdateError):
        phone.save()
    assert not Session.objects.filter(session_key=key).exists()
    assert not SessionStore().exists(key)


def test_a_session_the_database_cannot_write_is_reported_as_django_reports_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A locked or lost database while a page saves its session: Django's sessions call
    # it an UpdateError, which its middleware answers with 400 rather than a server error.
    key = _stored().session_key
    phone = SessionStore(key)
    phone["participants"] = {"7": "key-of-seven"}

    def locked(self: CursorWrapper, sql: str, params: object = None) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(CursorWrapper, "execute", locked)
    with pytest.raises(UpdateError):
        phone.save()
