"""The phones' sessions: Django's cached database sessions, with keys made in one call.

A session is what makes a phone the same participant, so every page and every socket
reads it, and each of a crowd of joining phones makes one. Read through the cache, a
socket or page finds it without a query (the database stays the record, and a session
missing from the cache is read from it). A new key is 160 random bits in one call to
the system's generator, where Django draws 32 characters one by one (32 calls) and
then asks the database whether the key is taken: an insert that finds it taken is
tried again with another key anyway (`create()`), so the question was redundant.
"""

from __future__ import annotations

import base64
import secrets

from django.contrib.sessions.backends import cached_db


class SessionStore(cached_db.SessionStore):
    def _get_new_session_key(self) -> str:
        # Base32 in lower case: 32 characters, all within Django's key alphabet.
        return base64.b32encode(secrets.token_bytes(20)).decode("ascii").lower()
