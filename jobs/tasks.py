"""The worker's own jobs, for what no app owns."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django_tasks import task


@task()
def expired_sessions_clear() -> None:
    """Delete every session past its expiry, as `manage.py clearsessions` does; idempotent.

    Every phone that opens a join page is given a session (workshops.views.join), link
    previews and passers-by too: without this the rows of those who never came back
    would pile up for good.
    """
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
