"""The receipt page's live line: transport only, one group per item the receipt shows."""

from __future__ import annotations

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from .live import item_group, receipt_group
from .selectors import receipt_by_token, receipt_items


@database_sync_to_async
def _groups_of(token: str) -> list[str] | None:
    receipt = receipt_by_token(token=token)
    if receipt is None:
        return None
    return [item_group(row.key) for row in receipt_items(receipt=receipt)]


class ReceiptConsumer(AsyncWebsocketConsumer):
    groups_joined: list[str]

    async def connect(self) -> None:
        self.groups_joined = []
        token = self.scope["url_route"]["kwargs"]["token"]
        groups = await _groups_of(token)
        await self.accept()
        if groups is None:
            await self.send(
                json.dumps({"type": "error", "code": "not_found", "message": "receipt withdrawn"})
            )
            await self.close(code=4404)
            return
        self.groups_joined = [*groups, receipt_group(token)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.send(json.dumps({"type": "hello", "items": len(groups)}))

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        # The page only listens; anything it sends gets a clear answer, nothing more.
        await self.send(
            json.dumps({"type": "error", "code": "invalid", "message": "this line only listens"})
        )

    async def status_event(self, message: dict[str, Any]) -> None:
        await self.send(json.dumps(message["event"], ensure_ascii=False))

    async def receipt_revoked(self, message: dict[str, Any]) -> None:
        await self.send(json.dumps({"type": "receipt.revoked"}))
        await self.close(code=4404)
