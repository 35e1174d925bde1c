"""A support costs the server few queries: a storm pays each of them ten thousand times.

10,000 phones support one proposal within a minute (bench/support_storm.py), each a
phone new to the challenges. The counts below are what a support needs today: a
change that adds a query to it fails here and has to say why it is worth it.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from challenges import services
from challenges.models import Challenge, Citizen, Proposal, Support
from workshops.errors import ActionRefused

pytestmark = pytest.mark.django_db

TRANSACTION_STATEMENTS = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")
# A new phone: the proposal with its challenge (read once, its language with it), the
# support with its new citizen and the count (on PostgreSQL one statement; here, on
# SQLite, the ORM's five: the proposal still counting, the citizen, the support, the
# count, the count read back) and the session's insert (one statement: a taken key is
# refused by the insert itself, workshops.sessions).
NEW_PHONE_QUERIES = 7
# A phone that supported before: the proposal, its citizen, the support and the count
# as above (on SQLite four statements, the citizen is there); its session is read
# through the cache and not written again.
KNOWN_PHONE_QUERIES = 6


def _statements(captured: CaptureQueriesContext) -> list[str]:
    # A transaction's own statements (a savepoint under the test's transaction) are
    # not queries a support could save.
    return [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].startswith(TRANSACTION_STATEMENTS)
    ]


def _phone() -> Client:
    # As the storm's phones: no session yet, its own CSRF secret in cookie and header.
    token = secrets.token_hex(16)
    phone = Client(enforce_csrf_checks=True, HTTP_ACCEPT="application/json")
    phone.cookies["csrftoken"] = token
    phone.defaults["HTTP_X_CSRFTOKEN"] = token
    return phone


def test_a_support_needs_no_more_queries_than_counted(proposal: Proposal) -> None:
    # Far from the threshold, as nearly every support of a storm is (the few that pass
    # 33, 66 and 100 % also claim the milestone and log it).
    Challenge.objects.filter(pk=proposal.challenge_id).update(threshold=1000)
    url = reverse("challenges:support", args=[proposal.pk])
    _phone().post(url)  # someone supported before: nothing is read for the first time
    phone = _phone()

    with CaptureQueriesContext(connection) as new_phone:
        answer = phone.post(url)
    assert answer.status_code == 200 and answer.json()["proposal"]["support_count"] == 2
    other = Proposal.objects.create(
        challenge=proposal.challenge, title="Benches", text="More benches.", status="open"
    )
    with CaptureQueriesContext(connection) as known_phone:
        again = phone.post(reverse("challenges:support", args=[other.pk]))
    assert again.status_code == 200 and again.json()["proposal"]["support_count"] == 1

    # The same citizen supports both, and only the two phones are new citizens.
    assert Citizen.objects.count() == 3  # with the proposal's author
    assert Support.objects.get(proposal=other).citizen == Support.objects.latest("pk").citizen
    new = _statements(new_phone)
    assert len(new) <= NEW_PHONE_QUERIES, "\n".join(s[:150] for s in new)
    reads_of_the_proposal = [sql for sql in new if '"challenges_challenge"' in sql]
    assert len(reads_of_the_proposal) == 1, new
    known = _statements(known_phone)
    assert len(known) <= KNOWN_PHONE_QUERIES, "\n".join(s[:150] for s in known)
    assert not [sql for sql in known if "django_session" in sql and "INSERT" in sql]


def test_a_refused_support_of_a_new_phone_leaves_no_citizen_behind(
    proposal: Proposal,
) -> None:
    citizens = Citizen.objects.count()
    # Read as the page read it; then a facilitator hides it before the support counts.
    seen = Proposal.objects.select_related("challenge").get(pk=proposal.pk)
    Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.HIDDEN)
    phone = Citizen()

    with pytest.raises(ActionRefused) as refused:
        services.support_give(proposal=seen, citizen=phone)

    assert refused.value.code == "not_supportable"
    assert phone.pk is None and Citizen.objects.count() == citizens
    assert not Support.objects.exists()
    # Over HTTP as well: a closed challenge's proposal, and the phone gets no citizen.
    Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.OPEN)
    proposal.challenge.closes_at = proposal.challenge.opens_at + timedelta(seconds=1)
    proposal.challenge.save(update_fields=["closes_at"])
    answer = _phone().post(reverse("challenges:support", args=[proposal.pk]))
    assert answer.status_code == 400 and answer.json()["code"] == "closed"
    assert Citizen.objects.count() == citizens and not Support.objects.exists()
