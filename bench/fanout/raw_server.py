"""The ceiling: a plain websockets broadcast server for one room.

Every frame `{"type": "publish", "data": ...}` from any client is serialised once
and written to every connected client with websockets.broadcast. No framework,
no bus: what the machine and the protocol allow.
"""

from __future__ import annotations

import argparse
import asyncio
import json

from websockets.asyncio.server import ServerConnection, broadcast, serve

CLIENTS: set[ServerConnection] = set()


async def handler(connection: ServerConnection) -> None:
    CLIENTS.add(connection)
    try:
        async for message in connection:
            frame = json.loads(message)
            if frame.get("type") == "publish":
                event = {"type": "bench.event", "data": frame["data"]}
                broadcast(CLIENTS, json.dumps(event, ensure_ascii=False))
    finally:
        CLIENTS.discard(connection)


async def main(port: int) -> None:
    # No compression: neither Daphne nor the product's pages negotiate it either.
    async with serve(handler, "127.0.0.1", port, compression=None, max_queue=None) as server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(main(parser.parse_args().port))
