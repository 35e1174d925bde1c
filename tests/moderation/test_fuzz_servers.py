"""The fuzz from outside: hostile frames and forms against real Daphne and uvicorn processes.

The in-process fuzz (test_fuzz.py) checks that nothing changes; this one checks what a
person on the other end notices: every frame is answered (an ack, an error or a pong),
no socket is dropped, no form answers 500, the server writes no exception to its log,
and afterwards the fuzzed participant can still open every socket they are allowed.
Frames carry nesting thousands deep, lone surrogates, numbers written with other
digits and signs, binary and oversized data, for every registered command.

Bounded: a few hundred frames and forms a server, drawn the same way on every run.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

from tests.moderation.test_fuzz import (
    FIELDS,
    HTTP_ACTS_WITHOUT_INPUT,
    NOT_NUMBERS,
    NUMBER_FIELDS,
    POST_ROUTES,
    lone_surrogates,
)
from tests.servers import ASGI_SERVERS, Served, asgi_server, manage, project_env
from workshops import registry

FRAME_TIMEOUT = 10.0
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# What a server writes when something it runs raised: Django, Daphne and uvicorn.
SERVER_FAULTS = ("Traceback", "Exception inside application", "Exception in ASGI application")
# A frame's answer, as opposed to the room's events travelling on the same socket.
ANSWERS = {"ack", "error", "pong"}
# Removing the fuzzed citizen would close its socket on purpose; everything else may run.
FUZZED_COMMANDS = [*sorted(set(registry.COMMANDS) - {"participant.remove"}), "ping", "no.such"]
# Replaced in the frame's text by arrays nested this deep (json.dumps cannot write them).
DEEP = "\x00deep\x00"
DEPTH = 3000
# Forms that end the fuzzed citizen's participation or act on the whole room.
SKIPPED_FORMS = HTTP_ACTS_WITHOUT_INPUT | {"moderation:erase", "challenges:from_workshop"}


@dataclass(frozen=True)
class Room:
    served: Served
    code: str
    citizen: str  # session ids
    facilitator: str


def _signed_in(base: str, path: str, data: dict[str, str]) -> str:
    """Post a form the way a browser does; returns the session it leaves."""
    with httpx.Client(base_url=base, follow_redirects=True, timeout=FRAME_TIMEOUT) as client:
        page = client.get(path)
        token = CSRF_INPUT.search(page.text)
        assert token is not None, f"{path} has no CSRF field"
        answer = client.post(
            path,
            data={**data, "csrfmiddlewaretoken": token.group(1)},
            headers={"Referer": f"{base}{path}"},
        )
        assert answer.status_code == 200, answer.text[:500]
        session = client.cookies.get("sessionid")
        assert session, f"{path} left no session"
        return session


@pytest.fixture(scope="module")
def seeded() -> Iterator[tuple[dict[str, str], dict[str, Any]]]:
    """A production-like environment on a throwaway SQLite file, with a demo room."""
    folder = Path(tempfile.mkdtemp(prefix="samskab-fuzz-"))
    env = project_env(
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        DEBUG="0",
        # Cookies must travel over plain http to 127.0.0.1.
        SECURE_COOKIES="0",
        SECRET_KEY="fuzz-servers-" + uuid.uuid4().hex,
        ALLOWED_HOSTS="127.0.0.1",
    )
    try:
        manage(env, "migrate", "--no-input")
        facts = json.loads(manage(env, "seed_demo", "--phase", "ideate", "--json").splitlines()[-1])
        yield env, facts
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module", params=ASGI_SERVERS)
def room(request: pytest.FixtureRequest, seeded: tuple[dict[str, str], dict[str, Any]]) -> Any:
    env, facts = seeded
    with asgi_server(env, request.param) as served:
        code = facts["join_code"]
        facilitator = _signed_in(
            served.url, "/accounts/login/", {"login": facts["email"], "password": facts["password"]}
        )
        citizen = _signed_in(served.url, f"/j/{code}", {"display_name": f"Fuzzed {request.param}"})
        yield Room(served=served, code=code, citizen=citizen, facilitator=facilitator)


def assert_no_server_fault(room: Room) -> None:
    log = room.served.log()
    for fault in SERVER_FAULTS:
        assert fault not in log, log[log.index(fault) - 2000 : log.index(fault) + 3000]


# ---- frames ------------------------------------------------------------------------------

value = st.one_of(
    st.integers(min_value=-2, max_value=8),
    st.integers(min_value=10**15, max_value=10**30),
    st.sampled_from(NOT_NUMBERS),
    st.sampled_from(["ideate", "group", "vote", "dots", "idea", "cluster", "spam", "need"]),
    st.text(max_size=20),
    lone_surrogates,
    st.just(DEEP),
    st.lists(st.integers(min_value=-1, max_value=8), max_size=4),
    st.booleans(),
    st.none(),
    st.just("x" * 3000),
)
request_ids = st.one_of(st.none(), st.just("r-1"), lone_surrogates, st.just(DEEP), st.integers())
frame_objects = st.builds(
    lambda kind, fields, request_id: {**fields, "type": kind, "request_id": request_id},
    st.sampled_from(FUZZED_COMMANDS),
    st.dictionaries(st.sampled_from(FIELDS), value, max_size=6),
    request_ids,
)


def frame_text(frame: dict[str, Any]) -> str:
    # ensure_ascii writes a lone surrogate as the escape a hostile client sends.
    nested = "[" * DEPTH + "]" * DEPTH
    return json.dumps(frame).replace(json.dumps(DEEP), nested)


raw_frames = st.one_of(
    frame_objects.map(frame_text),
    frame_objects.map(frame_text),
    frame_objects.map(frame_text),
    st.sampled_from(["", "{", "null", "[]", '"ping"', '{"type": 1}', "x" * 9000]),
    st.binary(max_size=30),
)
plans = st.lists(
    st.tuples(st.sampled_from(["facilitator", "citizen"]), raw_frames), min_size=80, max_size=80
)


async def _socket(room: Room, session: str) -> ClientConnection:
    port = urlsplit(room.served.url).port
    socket = await connect(
        f"ws://127.0.0.1:{port}/ws/workshops/{room.code}/",
        additional_headers={"Cookie": f"sessionid={session}"},
        origin=Origin(room.served.url),
        proxy=None,
        open_timeout=FRAME_TIMEOUT,
        close_timeout=2,
        max_size=None,
    )
    first = json.loads(await asyncio.wait_for(socket.recv(), FRAME_TIMEOUT))
    assert first["type"] == "snapshot", first
    return socket


async def _answer(socket: ClientConnection, sent: str | bytes) -> dict[str, Any]:
    """The answer to the frame just sent, past any room events; a closed socket fails."""

    async def scan() -> dict[str, Any]:
        while True:
            frame = json.loads(await socket.recv())
            if frame.get("type") in ANSWERS:
                return frame

    try:
        return await asyncio.wait_for(scan(), FRAME_TIMEOUT)
    except ConnectionClosed as closed:
        pytest.fail(f"the socket was dropped ({closed}) after {sent[:200]!r}")
    except TimeoutError:
        pytest.fail(f"no answer within {FRAME_TIMEOUT}s to {sent[:200]!r}")


async def _run(room: Room, plan: list[tuple[str, str | bytes]]) -> None:
    sockets = {
        "facilitator": await _socket(room, room.facilitator),
        "citizen": await _socket(room, room.citizen),
    }
    try:
        for role, raw in plan:
            await sockets[role].send(raw)
            answer = await _answer(sockets[role], raw)
            if answer["type"] == "error":
                assert answer["code"] and answer["message"], answer
                assert answer["code"] != "server_error", (raw[:300], answer)
    finally:
        for socket in sockets.values():
            await socket.close()
    # Nobody is locked out: the citizen still opens every socket allowed, at once.
    again = [await _socket(room, room.citizen) for _ in range(5)]
    for socket in again:
        await socket.close()


@settings(
    max_examples=4,
    derandomize=True,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
@given(plan=plans)
def test_every_frame_is_answered_and_no_socket_drops(
    room: Room, plan: list[tuple[str, str | bytes]]
) -> None:
    asyncio.run(_run(room, plan))

    assert_no_server_fault(room)


# ---- forms -------------------------------------------------------------------------------


def _hostile_form(number: str) -> dict[str, str]:
    return {name: number if name in NUMBER_FIELDS else "x" * 10_001 for name in FIELDS}


def test_every_form_answers_hostile_numbers_without_a_server_error(room: Room) -> None:
    routes = [(name, params) for name, params in POST_ROUTES if name not in SKIPPED_FORMS]
    answers: dict[int, list[str]] = {}
    refused_csrf = []
    with (
        httpx.Client(base_url=room.served.url, timeout=FRAME_TIMEOUT) as facilitator,
        httpx.Client(base_url=room.served.url, timeout=FRAME_TIMEOUT) as citizen,
    ):
        facilitator.cookies.set("sessionid", room.facilitator)
        citizen.cookies.set("sessionid", room.citizen)
        # The CSRF cookie, as each one's page sets it.
        assert facilitator.get(f"/facilitate/{room.code}/").status_code == 200
        assert citizen.get(f"/w/{room.code}/").status_code == 200
        for index, (name, params) in enumerate(routes):
            number = NOT_NUMBERS[index % len(NOT_NUMBERS)]
            path = _path(name, params, room.code, number)
            for client in (facilitator, citizen):
                token = client.cookies.get("csrftoken") or ""
                answer = client.post(
                    path,
                    data=_hostile_form(number),
                    headers={
                        "X-CSRFToken": token,
                        "Referer": f"{room.served.url}/",
                        "Accept": "application/json",
                    },
                )
                answers.setdefault(answer.status_code, []).append(name)
                if answer.status_code == 403 and "CSRF" in answer.text:
                    refused_csrf.append(name)

    assert not [status for status in answers if status >= 500], answers
    assert not refused_csrf, refused_csrf  # the forms must have been tried
    assert_no_server_fault(room)
    # Still in, after all that.
    with httpx.Client(base_url=room.served.url, timeout=FRAME_TIMEOUT) as phone:
        phone.cookies.set("sessionid", room.citizen)
        assert phone.get(f"/w/{room.code}/").status_code == 200


def _path(name: str, params: list[str], code: str, number: str) -> str:
    from django.urls import reverse

    kwargs: dict[str, Any] = {}
    for param in params:
        kwargs[param] = code if param == "code" else number
    try:
        return reverse(name, kwargs=kwargs)
    except Exception:
        # A converter that takes digits only (<int:…>) cannot even be written this way.
        return reverse(name, kwargs={k: code if k == "code" else 1 for k in kwargs})
