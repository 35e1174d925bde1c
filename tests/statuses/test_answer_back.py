"""After "done", the author says whether it solved the problem; "no" asks to reopen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from administrations.models import Administration
from statuses.models import ReopenRequest
from statuses.services import answer_back, status_change
from tests.statuses.conftest import Closed
from workshops.errors import ActionRefused

pytestmark = pytest.mark.django_db


@pytest.fixture
def done(closed: Closed, parks: Administration, parks_member: AbstractBaseUser) -> Closed:
    status_change(
        user=parks_member, item=closed.proposition, status="accepted", administration=parks
    )
    status_change(
        user=parks_member,
        item=closed.proposition,
        status="done",
        administration=parks,
        note="Homework café every Friday",
    )
    return closed


def answer_url(closed: Closed, who: str) -> str:
    return reverse(
        "statuses:receipt_answer",
        kwargs={
            "token": closed.receipts[who].token,
            "kind": "proposition",
            "item_id": closed.proposition.pk,
        },
    )


def test_a_no_with_a_comment_lands_in_the_administrations_queue_once(
    done: Closed, parks_member: AbstractBaseUser, parks: Administration
) -> None:
    phone = Client()
    page = phone.get(reverse("statuses:receipt", kwargs={"token": done.receipts["author"].token}))
    assert "Did this solve the problem?" in page.content.decode()
    refused = phone.post(answer_url(done, "author"), {"solved": "no", "comment": ""}, follow=True)
    assert "Say what is still not solved." in refused.content.decode()
    assert not ReopenRequest.objects.exists()
    phone.post(answer_url(done, "author"), {"solved": "no", "comment": "It closes at 16"})
    again = phone.post(answer_url(done, "author"), {"solved": "yes"}, follow=True)
    assert "You have already answered." in again.content.decode()
    assert ReopenRequest.objects.get().comment == "It closes at 16"

    member = Client()
    member.force_login(parks_member)
    queue = member.get(reverse("statuses:queue")).content.decode()
    assert "Asked to reopen" in queue and "It closes at 16" in queue
    # Taking it up again answers the request, and it leaves the queue.
    status_change(
        user=parks_member, item=done.proposition, status="in_progress", administration=parks
    )
    assert ReopenRequest.objects.get().handled_at is not None
    assert "It closes at 16" not in member.get(reverse("statuses:queue")).content.decode()


def test_only_the_author_answers_and_only_within_fourteen_days(done: Closed) -> None:
    with pytest.raises(ActionRefused, match="Only the author"):
        answer_back(receipt=done.receipts["voter"], item=done.proposition, solved="yes")
    with pytest.raises(ActionRefused, match="not behind"):
        answer_back(receipt=done.receipts["bystander"], item=done.proposition, solved="yes")
    with pytest.raises(ActionRefused):
        answer_back(receipt=done.receipts["author"], item=done.proposition, solved="maybe")
    later = timezone.now() + timedelta(days=15)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        with pytest.raises(ActionRefused, match="14 days"):
            answer_back(receipt=done.receipts["author"], item=done.proposition, solved="no",
                        comment="Still shut")  # fmt: skip
    assert not ReopenRequest.objects.exists()


def test_an_item_that_is_not_done_takes_no_answer(
    closed: Closed, parks: Administration, parks_member: AbstractBaseUser
) -> None:
    status_change(
        user=parks_member, item=closed.proposition, status="accepted", administration=parks
    )
    with pytest.raises(ActionRefused, match="once it is done"):
        answer_back(receipt=closed.receipts["author"], item=closed.proposition, solved="yes")
