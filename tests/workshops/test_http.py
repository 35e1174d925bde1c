"""The one way the room's HTTP endpoints answer a page's script, in every app."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ideas.models import Idea
from workshops.http import id_from_path
from workshops.models import Workshop
from workshops.phases import Phase

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("42", 42),
        ("007", 7),
        ("9" * 18, int("9" * 18)),
        ("9" * 19, "9" * 19),
        ("٣", "٣"),
        ("-1", "-1"),
    ],
)
def test_only_what_can_be_an_id_becomes_a_number(raw: str, expected: object) -> None:
    assert id_from_path(raw) == expected


@pytest.mark.parametrize(
    "route", ["ideas:edit", "ideas:withdraw", "voting:vote"], ids=["edit", "withdraw", "vote"]
)
def test_an_absurd_id_is_a_clear_refusal_not_a_server_error(
    citizen_client: Client, workshop: Workshop, route: str
) -> None:
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.IDEATE)
    huge = "9" * 10_001
    if route == "voting:vote":
        url = reverse(route, kwargs={"code": workshop.join_code})
        data = {"target_type": "idea", "target_id": huge, "dots": "1"}
    else:
        url = reverse(route, kwargs={"code": workshop.join_code, "idea_id": huge})
        data = {"text": "Longer opening hours"}

    response = citizen_client.post(url, data, **JSON)

    assert 400 <= response.status_code < 500
    assert response.json()["ok"] is False
    assert response.json()["message"]
    assert not Idea.objects.filter(text="Longer opening hours").exists()
