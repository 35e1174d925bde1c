"""The phones' sessions: Django's cached database sessions, with keys made in one call.

A session is what makes a phone the same participant, so every page and every socket
reads it, and each of a crowd of joining phones makes one. Read through the cache, a
socket or page finds it without a query (the database stays the record, and a session
missing from the cache is read from it). A new key is 160 random bits in one call to
the system's generator, where Django draws 32 characters one by one (32 calls) and
then asks the database whether the key is taken: an insert that finds it taken is
tried again with another key anyway (`create()`), so the question was redundant.

A new session is stored by one statement that leaves a taken key alone (`ON CONFLICT
DO NOTHING`, on PostgreSQL and SQLite) instead of the ORM's insert in a transaction of
its own (three round trips to the database, where one does), and put in the cache once
where Django puts it there twice: a support storm makes a session for every phone
(bench/support_storm.py). A stored session is written back by one UPDATE, where the
ORM saved the row in a transaction of its own: the join form writes the phone's
participant into the session the join page made (docs/deploy.md, *Joins*).
"""

from __future__ import annotations

import base64
import logging
import secrets

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.base import UpdateError
from django.db import DatabaseError, connections, router
from django.utils import timezone

logger = logging.getLogger(__name__)

# Databases whose INSERT knows ON CONFLICT DO NOTHING.
_INSERTS_IF_NEW = frozenset({"postgresql", "sqlite"})


class SessionStore(cached_db.SessionStore):
    def _get_new_session_key(self) -> str:
        # Base32 in lower case: 32 characters, all within Django's key alphabet.
        return base64.b32encode(secrets.token_bytes(20)).decode("ascii").lower()

    def create(self) -> None:
        """Store a new session under a new key; the caller (save()) puts it in the cache."""
        using = router.db_for_write(self.model)
        if connections[using].vendor not in _INSERTS_IF_NEW:
            super().create()
            return
        while True:
            self._session_key = self._get_new_session_key()
            if self._inserted_if_new(using):
                break
        self.modified = True

    def save(self, must_create: bool = False) -> None:
        """Store the session (and cache it); a stored session by one UPDATE of its row."""
        if self.session_key is None or must_create:
            super().save(must_create)
            return
        row = self.create_model_instance(self._get_session())  # type: ignore[attr-defined]
        using = router.db_for_write(self.model, instance=row)
        connection = connections[using]
        meta = self.model._meta
        quote = connection.ops.quote_name
        data = meta.get_field("session_data")
        expiry = meta.get_field("expire_date")
        sql = (
            f"UPDATE {quote(meta.db_table)} "  # noqa: S608 - the model's names, not input
            f"SET {quote(data.column)} = %s, {quote(expiry.column)} = %s "
            f"WHERE {quote(meta.pk.column)} = %s"
        )
        values = [
            data.get_db_prep_save(row.session_data, connection),
            expiry.get_db_prep_save(row.expire_date, connection),
            row.session_key,
        ]
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, values)
                updated = cursor.rowcount
        except DatabaseError as error:
            # As Django's save reports it: the middleware answers 400, not a server error.
            raise UpdateError from error
        if updated != 1:
            # Deleted meanwhile (the person signed out in another tab): as Django answers.
            raise UpdateError
        cache = self._cache  # type: ignore[attr-defined]
        try:
            cache.set(self.cache_key, self._session, self.get_expiry_age())  # type: ignore[attr-defined]
        except Exception:
            # As Django's cached sessions: the database is the record.
            logger.exception("Error saving to cache (%s)", cache)

    def _inserted_if_new(self, using: str) -> bool:
        """Insert the session's row; False, and nothing written, if its key is taken."""
        # A new key names no stored data: what the request put in the session is all of it.
        data = self._get_session(no_load=True)  # type: ignore[attr-defined]
        row = self.create_model_instance(data)
        connection = connections[using]
        meta = self.model._meta
        fields = list(meta.concrete_fields)
        quote = connection.ops.quote_name
        sql = (
            f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608 - the model's names, not input
            f"({', '.join(quote(field.column) for field in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) "
            f"ON CONFLICT ({quote(meta.pk.column)}) DO NOTHING"
        )
        values = [field.get_db_prep_save(field.pre_save(row, True), connection) for field in fields]
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            return cursor.rowcount == 1

    def load_locked(self) -> bool:
        """Read this session afresh from the database, its row locked until the transaction
        ends; False when it has no row (never saved, expired or deleted).

        Joining over the socket (workshops.services.participant_join_session) decides under
        this lock whether the phone has joined already: two tabs of one phone joining at
        once then make one participant, whatever each read when its socket opened.
        Precondition: inside a transaction.
        """
        if self.session_key is None:
            return False
        row = (
            self.model.objects.select_for_update()
            .filter(session_key=self.session_key, expire_date__gt=timezone.now())
            .first()
        )
        if row is None:
            return False
        self._session_cache = self.decode(row.session_data)
        return True
