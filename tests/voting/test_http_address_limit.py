"""Votes over HTTP count against the address like votes over the socket (issue 17, 8)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import join_by_page
from tests.factories import IdeaFactory
from voting.models import Vote
from workshops.models import Workshop
from workshops.phases import Phase

pytestmark = pytest.mark.django_db


def test_votes_over_http_share_the_per_address_limit(workshop: Workshop, settings: Any) -> None:
    settings.SAMSKAB_RATE_LIMITS = {**settings.SAMSKAB_RATE_LIMITS, "vote_per_address": "2/m"}
    idea = IdeaFactory(workshop=workshop, author__workshop=workshop)
    phones = [join_by_page(Client(), workshop, f"Phone {n}") for n in range(3)]
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.VOTE)
    url = reverse("voting:vote", kwargs={"code": workshop.join_code})

    answers = [
        phone.post(
            url,
            {"target_type": "idea", "target_id": str(idea.pk), "dots": "1"},
            HTTP_ACCEPT="application/json",
        )
        for phone in phones
    ]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert answers[2].json()["code"] == "rate_limited"
    assert int(answers[2]["Retry-After"]) > 0
    assert Vote.objects.count() == 2
