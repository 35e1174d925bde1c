"""Notices by mail, through a real SMTP server: double opt-in, one digest a day, per-item stop."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.utils import timezone

from administrations.models import Administration
from statuses.mail import digests_send
from statuses.models import Notice
from statuses.services import status_change, subscription_confirm, subscription_request
from statuses.tasks import status_change_tell, subscription_confirmation_send
from tests.statuses.conftest import Closed, Sink, body_of

pytestmark = pytest.mark.django_db


def link_in(text: str, path: str) -> str:
    found = re.search(rf"https?://[^\s]+({path}[^\s]+)", text)
    assert found, text
    return found.group(1)


def test_a_confirmed_address_hears_of_changes_at_most_once_a_day(
    closed: Closed, parks: Administration, parks_member: AbstractBaseUser, smtp_sink: Sink
) -> None:
    client = Client()
    receipt = closed.receipts["author"]
    subscription = subscription_request(receipt=receipt, email="ada@example.org")
    subscription_confirmation_send.call(subscription_id=subscription.pk)
    [confirmation] = smtp_sink.to("ada@example.org")
    confirm_path = link_in(body_of(confirmation), "/mail/confirm/")

    # Before the button is pressed, nothing but the confirmation goes out.
    first = status_change(
        user=parks_member, item=closed.proposition, status="under_review", administration=parks
    )
    status_change_tell.call(change_id=first.pk)
    assert len(smtp_sink.to("ada@example.org")) == 1
    client.get(confirm_path)
    assert len(smtp_sink.to("ada@example.org")) == 1
    client.post(confirm_path)

    accepted = status_change(
        user=parks_member, item=closed.proposition, status="accepted", administration=parks
    )
    status_change_tell.call(change_id=accepted.pk)
    news = smtp_sink.to("ada@example.org")[1:]
    assert len(news) == 1
    body = body_of(news[0])
    assert "Accepted" in body and "Homework cafés" in body and "signed by Parks and Roads" in body
    assert receipt.token in body
    # The voter left no address and gets no mail, but a notice on the receipt page.
    assert Notice.objects.filter(receipt=closed.receipts["voter"]).count() == 2

    # A second change the same day waits for the next day's digest.
    progress = status_change(
        user=parks_member,
        item=closed.proposition,
        status="in_progress",
        administration=parks,
        progress=50,
    )
    status_change_tell.call(change_id=progress.pk)
    assert len(smtp_sink.to("ada@example.org")) == 2
    assert digests_send(now=timezone.now() + timedelta(hours=25)) == 1
    digest = smtp_sink.to("ada@example.org")[-1]
    assert "In progress" in body_of(digest)
    # Sent once: a retry of the job sends nothing more.
    assert digests_send(now=timezone.now() + timedelta(hours=26)) == 0
    assert len(smtp_sink.to("ada@example.org")) == 3


def test_a_per_item_unsubscribe_stops_that_items_mail_and_a_replay_changes_nothing(
    closed: Closed, parks: Administration, parks_member: AbstractBaseUser, smtp_sink: Sink
) -> None:
    client = Client()
    receipt = closed.receipts["voter"]
    subscription = subscription_request(receipt=receipt, email="bo@example.org")
    subscription_confirm(token=subscription.confirm_token)
    made = status_change(
        user=parks_member, item=closed.proposition, status="accepted", administration=parks
    )
    status_change_tell.call(change_id=made.pk)
    [news] = smtp_sink.to("bo@example.org")
    stop = link_in(body_of(news), "/mail/unsubscribe/")
    assert "Stop e-mails about this item" in client.get(stop).content.decode()
    assert client.post(stop, follow=True).status_code == 200
    replay = client.post(stop, follow=True)
    assert "You had already stopped e-mails about this item." in replay.content.decode()
    done = status_change(
        user=parks_member,
        item=closed.proposition,
        status="done",
        administration=parks,
        note="Open every Friday",
    )
    status_change_tell.call(change_id=done.pk)
    assert digests_send(now=timezone.now() + timedelta(days=2)) == 0
    assert len(smtp_sink.to("bo@example.org")) == 1
    # Forged: the signature does not match.
    assert client.post(stop[:-3] + "abc/").status_code == 404
