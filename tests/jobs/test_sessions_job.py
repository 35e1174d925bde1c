"""The worker deletes expired sessions by itself: every join page's visitor gets one."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from jobs.schedule import SCHEDULE
from tests.servers import manage, project_env, worker_until

SEED = """
from datetime import timedelta
from django.contrib.sessions.models import Session
from django.utils import timezone
from workshops.sessions import SessionStore
for name in ("gone", "kept"):
    session = SessionStore()
    session["who"] = name
    session.save()
    if name == "gone":
        Session.objects.filter(session_key=session.session_key).update(
            expire_date=timezone.now() - timedelta(minutes=1)
        )
"""

LEFT = """
from django.contrib.sessions.models import Session
print(sorted(row.get_decoded()["who"] for row in Session.objects.all()))
"""


def test_the_sessions_job_is_on_the_schedule() -> None:
    assert SCHEDULE["jobs.tasks.expired_sessions_clear"].every == timedelta(hours=1)


def test_the_worker_deletes_expired_sessions_and_keeps_the_others(tmp_path: Path) -> None:
    env = project_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "-c", SEED)
    assert manage(env, "shell", "-c", LEFT).strip().splitlines()[-1] == "['gone', 'kept']"
    left, output = worker_until(env, LEFT, "['kept']")
    assert left == "['kept']"
    assert "enqueued jobs.tasks.expired_sessions_clear" in output
