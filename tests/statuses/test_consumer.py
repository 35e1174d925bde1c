"""An open receipt page hears of a change at once, over the real ASGI application."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from administrations.models import Administration
from config.asgi import application
from statuses.services import receipt_revoke, status_change
from summaries.models import ValueProposition
from tests.statuses.conftest import Closed
from tests.workshops.test_consumer import headers_for

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 5


async def open_receipt(token: str) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(application, f"/ws/receipts/{token}/", headers=headers_for(None))
    connected, _ = await socket.connect(timeout=TIMEOUT)
    assert connected
    return socket


async def test_every_open_receipt_behind_the_item_shows_the_change(
    closed: Closed, parks: Administration, parks_member: AbstractBaseUser
) -> None:
    author = await open_receipt(closed.receipts["author"].token)
    bystander = await open_receipt(closed.receipts["bystander"].token)
    assert (await author.receive_json_from(timeout=TIMEOUT))["items"] == 3
    await bystander.receive_json_from(timeout=TIMEOUT)
    await database_sync_to_async(status_change)(
        user=parks_member,
        item=closed.proposition,
        status="accepted",
        administration=parks,
        expected_on="2027-05-01",
    )
    event = await author.receive_json_from(timeout=TIMEOUT)
    assert event["type"] == "status.changed"
    assert event["data"]["key"] == f"proposition-{closed.proposition.pk}"
    assert event["data"]["change"]["status_label"] == "Accepted"
    assert event["data"]["item"]["expected_on"] == "2027-05-01"
    assert await bystander.receive_nothing(timeout=0.5)
    # The page only listens: whatever it sends is answered, nothing else happens.
    await author.send_to(text_data="{}")
    assert (await author.receive_json_from(timeout=TIMEOUT))["code"] == "invalid"
    await author.disconnect()
    await bystander.disconnect()


async def test_a_revoked_or_forged_receipt_is_answered_and_closed(closed: Closed) -> None:
    forged = await open_receipt("a" * 43)
    assert (await forged.receive_json_from(timeout=TIMEOUT))["code"] == "not_found"
    assert (await forged.receive_output(timeout=TIMEOUT))["type"] == "websocket.close"
    page = await open_receipt(closed.receipts["voter"].token)
    await page.receive_json_from(timeout=TIMEOUT)
    await database_sync_to_async(receipt_revoke)(receipt=closed.receipts["voter"])
    assert (await page.receive_json_from(timeout=TIMEOUT))["type"] == "receipt.revoked"
    assert (await page.receive_output(timeout=TIMEOUT))["type"] == "websocket.close"


# What the receipt's socket and the report's JSON both say of one step and one item.
SHARED_STEP = ("status", "administration", "forwarded_to", "note", "progress", "expected_on")
SHARED_ITEM = ("status", "administration", "progress", "expected_on")


async def test_the_socket_and_the_reports_json_give_one_shape_for_the_same_steps(
    closed: Closed,
    parks: Administration,
    parks_member: AbstractBaseUser,
    culture: Administration,
) -> None:
    unanswered = await database_sync_to_async(ValueProposition.objects.create)(
        workshop=closed.workshop, idea=closed.idea
    )
    page = await open_receipt(closed.receipts["author"].token)
    await page.receive_json_from(timeout=TIMEOUT)
    await database_sync_to_async(status_change)(
        user=parks_member, item=closed.proposition, status="under_review", administration=parks
    )
    await database_sync_to_async(status_change)(
        user=parks_member,
        item=closed.proposition,
        status="forwarded",
        administration=parks,
        forward_to=culture,
    )
    frames = [(await page.receive_json_from(timeout=TIMEOUT))["data"] for _ in range(2)]
    await page.disconnect()
    url = f"/said/workshop/{closed.workshop.join_code}/said.json"
    report = await database_sync_to_async(lambda: Client().get(url).json())()

    items = {item["id"]: item for item in report["items"] if item["kind"] == "proposition"}
    answered = items[closed.proposition.pk]
    for frame, step in zip(frames, answered["timeline"], strict=True):
        assert {key: step[key] for key in SHARED_STEP} == {
            key: frame["change"][key] for key in SHARED_STEP
        }
    assert [step["forwarded_to"] for step in answered["timeline"]] == [None, "Culture and Leisure"]
    assert {key: answered[key] for key in SHARED_ITEM} == {
        key: frames[-1]["item"][key] for key in SHARED_ITEM
    }
    # No administration yet is null too, never an empty string.
    assert items[unanswered.pk]["administration"] is None
