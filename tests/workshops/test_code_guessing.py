"""Join codes cannot be guessed at speed from one address, and a town hall behind one
Wi-Fi address is never locked out (issue 17, 6)."""

from __future__ import annotations

from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.urls import reverse

from config.asgi import application
from workshops.codes import JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH
from workshops.models import Participant, Workshop

pytestmark = pytest.mark.django_db


def wrong_codes(workshop: Workshop, count: int) -> list[str]:
    codes: list[str] = []
    number = 0
    while len(codes) < count:
        digits = []
        value = number
        for _ in range(JOIN_CODE_LENGTH):
            value, index = divmod(value, len(JOIN_CODE_ALPHABET))
            digits.append(JOIN_CODE_ALPHABET[index])
        code = "".join(digits)
        if code != workshop.join_code:
            codes.append(code)
        number += 7919  # spread the guesses over the code space
    return codes


def limit_guesses(settings: Any, rate: str) -> None:
    rates = settings.SAMSKAB_RATE_LIMITS
    settings.SAMSKAB_RATE_LIMITS = {**rates, "join_failures_per_address": rate}


def type_code(client: Client, code: str, **headers: Any) -> Any:
    return client.post(reverse("workshops:home"), {"code": code}, **headers)


def test_wrong_codes_from_one_address_are_refused_past_the_limit(
    workshop: Workshop, settings: Any
) -> None:
    limit_guesses(settings, "20/h")
    guesser = Client()
    answers = [type_code(guesser, code).status_code for code in wrong_codes(workshop, 30)]

    assert answers[:20] == [400] * 20
    assert answers[20:] == [429] * 10
    # Past the limit the right code is refused too, or the answer would give it away.
    right = type_code(guesser, workshop.join_code)
    assert right.status_code == 429
    assert 0 < int(right["Retry-After"]) <= 3600
    assert "Too many wrong workshop codes" in right.content.decode()
    as_script = Client().get(
        reverse("workshops:join", kwargs={"code": workshop.join_code}),
        HTTP_ACCEPT="application/json",
    )
    assert as_script.status_code == 429
    assert as_script.json()["code"] == "rate_limited"
    assert int(as_script["Retry-After"]) > 0


def test_another_address_is_not_refused(workshop: Workshop, settings: Any) -> None:
    limit_guesses(settings, "5/h")
    for code in wrong_codes(workshop, 6):
        type_code(Client(REMOTE_ADDR="10.0.0.1"), code)

    elsewhere = type_code(Client(REMOTE_ADDR="10.0.0.2"), workshop.join_code)

    assert elsewhere.status_code == 302


@pytest.mark.parametrize(
    "page", ["workshops:join", "workshops:qr", "workshops:room", "voting:vote"]
)
def test_every_page_with_a_code_counts_wrong_codes(
    workshop: Workshop, settings: Any, page: str
) -> None:
    limit_guesses(settings, "5/h")
    guesser = Client()
    answers = []
    for code in wrong_codes(workshop, 6):
        url = reverse(page, kwargs={"code": code})
        answer = guesser.post(url) if page == "voting:vote" else guesser.get(url)
        answers.append(answer.status_code)

    assert answers == [404] * 5 + [429]


def test_a_town_hall_on_one_address_is_never_refused(workshop: Workshop) -> None:
    """A thousand phones behind one Wi-Fi address, each mistyping the code once, all join."""
    room = Client()
    for code in wrong_codes(workshop, 1000):
        assert type_code(room, code).status_code == 400

    phones = [Client() for _ in range(20)]
    answers = [type_code(phone, workshop.join_code).status_code for phone in phones]
    joins = [
        phone.post(
            reverse("workshops:join", kwargs={"code": workshop.join_code}),
            {"display_name": f"Phone {number}"},
        ).status_code
        for number, phone in enumerate(phones)
    ]

    assert answers == [302] * 20
    # Each join answers with the room itself.
    assert joins == [200] * 20
    assert Participant.objects.filter(workshop=workshop).count() == 20


def test_a_rate_limited_join_answers_429_with_retry_after(
    workshop: Workshop, settings: Any
) -> None:
    settings.SAMSKAB_RATE_LIMITS = {**settings.SAMSKAB_RATE_LIMITS, "join_per_address": "2/m"}
    url = reverse("workshops:join", kwargs={"code": workshop.join_code})

    answers = [Client().post(url, {"display_name": f"Otter {n}"}) for n in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert 0 < int(answers[2]["Retry-After"]) <= 60
    assert Participant.objects.filter(workshop=workshop).count() == 2


@pytest.mark.django_db(transaction=True)
async def test_guessing_over_the_socket_is_counted_and_refused(
    workshop: Workshop, settings: Any
) -> None:
    limit_guesses(settings, "3/h")
    answers = []
    for code in [*wrong_codes(workshop, 3), workshop.join_code]:
        socket = WebsocketCommunicator(
            application,
            f"/ws/workshops/{code}/",
            headers=[(b"origin", b"http://localhost"), (b"host", b"localhost")],
        )
        # Where the socket comes from, as the server fills it in (not yet running).
        socket.scope["client"] = ("203.0.113.7", 50000)
        connected, _ = await socket.connect(timeout=3)
        assert connected
        error = await socket.receive_json_from(timeout=3)
        closed = await socket.receive_output(timeout=3)
        answers.append((error["code"], closed["code"]))

    assert answers == [("not_found", 4404)] * 3 + [("rate_limited", 4429)]
