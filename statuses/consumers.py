"""The receipt page's live line: transport only, one group per item the receipt shows."""

from __future__ import annotations

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.layers import DEFAULT_CHANNEL_LAYER
from django.utils.translation import gettext_lazy

from workshops.listeners import SnapshotFirstConsumer

from .live import item_group, receipt_group
from .selectors import receipt_by_token, receipt_items

RECEIPT_NOT_FOUND = gettext_lazy(
    "This receipt does not exist: it was withdrawn or erased, or the link is wrong."
)


@database_sync_to_async
def _groups_of(token: str) -> list[str] | None:
    receipt = receipt_by_token(token=token)
    if receipt is None:
        return None
    return [item_group(row.key) for row in receipt_items(receipt=receipt)]


class ReceiptConsumer(SnapshotFirstConsumer):
    # Stock groups, one per item the receipt shows: the socket needs its own channel.
    channel_layer_alias = DEFAULT_CHANNEL_LAYER
    groups_joined: list[str]

    async def open(self) -> None:
        self.groups_joined = []
        token = self.scope["url_route"]["kwargs"]["token"]
        await self.accept_once()
        groups = await _groups_of(token)
        if groups is None:
            await self.send(
                json.dumps(
                    {"type": "error", "code": "not_found", "message": str(RECEIPT_NOT_FOUND)}
                )
            )
            await self.close(code=4404)
            return
        self.groups_joined = [*groups, receipt_group(token)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.send(json.dumps({"type": "hello", "items": len(groups)}))

    async def disconnect(self, code: int) -> None:
        await self.leave()

    async def leave(self) -> None:
        joined, self.groups_joined = getattr(self, "groups_joined", []), []
        for group in joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        # The page only listens; anything it sends gets a clear answer, nothing more.
        await self.send(
            json.dumps(
                {
                    "type": "error",
                    "code": "invalid",
                    "message": str(gettext_lazy("This page only listens.")),
                }
            )
        )

    async def status_event(self, message: dict[str, Any]) -> None:
        await self.send(json.dumps(message["event"], ensure_ascii=False))

    async def receipt_revoked(self, message: dict[str, Any]) -> None:
        await self.send(json.dumps({"type": "receipt.revoked"}))
        await self.close(code=4404)
