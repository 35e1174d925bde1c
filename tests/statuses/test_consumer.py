"""An open receipt page hears of a change at once, over the real ASGI application."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AbstractBaseUser

from administrations.models import Administration
from config.asgi import application
from statuses.services import receipt_revoke, status_change
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
