"""The room's pages served by the real ASGI application, as Daphne serves them to phones."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from django.urls import reverse

from config.asgi import PAGE_THREADS, application
from workshops.models import Participant, Workshop

pytestmark = pytest.mark.django_db(transaction=True)

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def phone() -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=application, client=("127.0.0.1", 5000)),
        base_url="http://localhost",
        follow_redirects=True,
    )


async def test_a_phone_joins_through_the_join_page_and_lands_in_the_room(
    workshop: Workshop,
) -> None:
    join_url = reverse("workshops:join", kwargs={"code": workshop.join_code})
    async with phone() as client:
        page = await client.get(join_url)
        token = CSRF_INPUT.search(page.text)
        assert page.status_code == 200 and token is not None

        room = await client.post(
            join_url, data={"display_name": "Quiet Heron", "csrfmiddlewaretoken": token[1]}
        )

    assert room.status_code == 200
    # The room answers the join form itself: no redirect, one round trip less.
    assert room.history == []
    room_url = reverse("workshops:room", kwargs={"code": workshop.join_code})
    assert f'"page_url": "{room_url}"' in room.text
    assert 'id="room-config"' in room.text
    assert "Quiet Heron" in room.text
    assert "script-src 'self'" in room.headers["Content-Security-Policy"]
    assert room.headers["X-Frame-Options"] == "DENY"
    assert await Participant.objects.filter(workshop=workshop).acount() == 1


async def test_a_join_form_without_its_csrf_token_is_refused(workshop: Workshop) -> None:
    join_url = reverse("workshops:join", kwargs={"code": workshop.join_code})
    async with phone() as client:
        await client.get(join_url)
        refused = await client.post(join_url, data={"display_name": "Forged"})

    assert refused.status_code == 403
    assert await Participant.objects.filter(workshop=workshop).acount() == 0


async def test_a_crowd_larger_than_the_kept_threads_gets_every_page(workshop: Workshop) -> None:
    # Pages beyond the kept threads (config.asgi.PageThreads) wait their turn: none is
    # dropped or left hanging, and no thread is kept beyond the bound.
    join_url = reverse("workshops:join", kwargs={"code": workshop.join_code})
    crowd = PAGE_THREADS.size * 3
    async with phone() as client:
        pages = await asyncio.wait_for(
            asyncio.gather(*(client.get(join_url) for _ in range(crowd))), timeout=60
        )

    assert [page.status_code for page in pages] == [200] * crowd
    assert all(CSRF_INPUT.search(page.text) for page in pages)
    assert len(PAGE_THREADS.idle) <= PAGE_THREADS.size
