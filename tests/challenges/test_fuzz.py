"""Malformed, oversized and hostile input at every challenges endpoint: refused, nothing changed.

As tests/moderation/test_fuzz.py does for the room: every field gets a value no
service may accept, every path part a value that names nothing; each request must
be answered without a server error and leave every row of every app as it was.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from challenges.models import Challenge, Proposal
from tests.factories import WorkshopFactory

pytestmark = pytest.mark.django_db

FIELDS = [
    "title", "text", "author_name", "reason", "withdraw", "challenge", "cluster", "idea",
    "next", "question", "context", "language", "opens_at", "closes_at", "threshold_kind",
    "threshold_value", "cosponsors_needed", "moderation", "supporters", "administration",
]  # fmt: skip
TOO_LONG = "x" * 10_001
# Form fields arrive as text: too long, or nothing once cleaned ("-1" is a fine title).
hostile_text = st.sampled_from(
    [TOO_LONG, "ø" * 3_500, "", "   ", "\u200b\u200b", "<b></b>", "<script></script>", "\n\n"]
)
# For the reads: anything at all.
hostile_query = st.one_of(hostile_text, st.sampled_from(["-1", "1e999", "NaN", "=1+1", "\x00"]))
hostile_path = st.sampled_from(
    ["-1", "1e999", "NaN", "0x10", "[]", "%00", "=1+1", "9" * 30, "x" * 150, "ø"]
)
# Routes whose only input is the path: with a real path they act, so they get hostile ones.
PATH_ONLY = {
    ("challenges:support", "proposal_id"),
    ("challenges:withdraw", "proposal_id"),
    ("challenges:review", "proposal_id"),
    ("challenges:cosponsor", "token"),
}
# Routes whose input is the form: they get real paths, so the hostile fields reach the service.
FORMS = [
    ("challenges:propose", {"challenge_id": "challenge"}),
    ("challenges:flag", {"proposal_id": "proposal"}),
    ("challenges:new", {}),
    ("challenges:from_workshop", {"code": "workshop"}),
]


def every_row() -> dict[str, list[dict[str, Any]]]:
    rows = {}
    for label in ("workshops", "ideas", "moderation", "challenges", "administrations"):
        for model in apps.get_app_config(label).get_models():
            rows[model._meta.label] = list(model.objects.order_by("pk").values())
    return rows


SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(
    route=st.sampled_from(FORMS),
    fields=st.dictionaries(st.sampled_from(FIELDS), hostile_text, min_size=len(FIELDS) // 2),
    signed_in=st.booleans(),
    wants_json=st.booleans(),
    with_photo=st.sampled_from([None, b"GIF89a not really", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64]),
)
def test_every_form_refuses_hostile_input(
    challenge: Challenge,
    proposal: Proposal,
    challenge_owner: AbstractBaseUser,
    route: tuple[str, dict[str, str]],
    fields: dict[str, str],
    signed_in: bool,
    wants_json: bool,
    with_photo: bytes | None,
) -> None:
    name, params = route
    objects = {
        "challenge": str(challenge.pk),
        "proposal": str(proposal.pk),
        "workshop": WorkshopFactory(owner=challenge_owner).join_code,
    }
    url = reverse(name, kwargs={param: objects[kind] for param, kind in params.items()})
    client = Client()
    if signed_in:
        client.force_login(challenge_owner)
    data: dict[str, Any] = {**dict.fromkeys(FIELDS, TOO_LONG), **fields}
    if with_photo is not None:
        data["photo"] = io.BytesIO(with_photo)
        data["photo"].name = "photo.png"
    headers = {"HTTP_ACCEPT": "application/json"} if wants_json else {}
    before = every_row()

    response = client.post(url, data, **headers)

    assert response.status_code < 500, (name, response.status_code)
    assert every_row() == before, f"{name} changed something"


@SETTINGS
@given(
    route=st.sampled_from(sorted(PATH_ONLY)),
    value=hostile_path,
    signed_in=st.booleans(),
)
def test_every_path_that_names_nothing_is_refused(
    challenge: Challenge,
    proposal: Proposal,
    challenge_owner: AbstractBaseUser,
    route: tuple[str, str],
    value: str,
    signed_in: bool,
) -> None:
    name, param = route
    kwargs = {param: value}
    if name == "challenges:review":
        kwargs["decision"] = "hide"
    client = Client()
    if signed_in:
        client.force_login(challenge_owner)
    before = every_row()

    response = client.post(reverse(name, kwargs=kwargs), HTTP_ACCEPT="application/json")

    assert response.status_code in (302, 400, 403, 404), (name, response.status_code)
    assert every_row() == before, f"{name} changed something"


@SETTINGS
@given(text=hostile_query, sort=hostile_query, search=hostile_query)
def test_reads_answer_hostile_queries_without_error(
    challenge: Challenge, proposal: Proposal, text: str, sort: str, search: str
) -> None:
    client = Client()

    assert client.get(challenge.get_absolute_url(), {"sort": sort, "q": search}).status_code == 200
    similar = client.get(reverse("challenges:similar", args=[challenge.pk]), {"text": text})
    assert similar.status_code == 200 and "proposals" in similar.json()
    assert client.get(reverse("challenges:api_challenges")).status_code == 200


@SETTINGS
@given(
    why=st.sampled_from(["held", "verified", "closed"]),
    fields=st.dictionaries(st.sampled_from(FIELDS), hostile_text),
    withdraw=st.sampled_from([None, "1", "0", TOO_LONG]),
    wants_json=st.booleans(),
)
def test_support_that_cannot_count_leaves_nothing_behind(
    challenge: Challenge,
    proposal: Proposal,
    why: str,
    fields: dict[str, str],
    withdraw: str | None,
    wants_json: bool,
) -> None:
    """A new phone's refused support or withdrawal: no support, no count, no citizen."""
    if why == "held":
        Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.HELD)
    elif why == "verified":
        Challenge.objects.filter(pk=challenge.pk).update(supporters=Challenge.Supporters.VERIFIED)
    else:
        Challenge.objects.filter(pk=challenge.pk).update(closes_at=timezone.now())
    data = {**fields, **({"withdraw": withdraw} if withdraw is not None else {})}
    headers = {"HTTP_ACCEPT": "application/json"} if wants_json else {}
    before = every_row()

    response = Client().post(reverse("challenges:support", args=[proposal.pk]), data, **headers)

    assert response.status_code in (302, 400, 403, 404, 409), response.status_code
    assert every_row() == before
