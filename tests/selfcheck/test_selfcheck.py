"""The self-check after a workshop: answers, feedback, the summary's method section, totals."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.urls import reverse

from selfcheck.models import SelfCheck
from selfcheck.questions import QUESTIONS
from selfcheck.services import self_check_answer
from summaries.exports import summary_html, summary_json, summary_markdown
from summaries.summary import summary_build
from tests.factories import WorkshopFactory
from workshops.errors import ActionRefused
from workshops.models import Workshop
from workshops.phases import Phase

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(__file__).parents[2] / "docs" / "summary.schema.json").read_text())
ANSWERS = {"early": "partly", "affected": "no", "people_decided": "yes", "hear_back": "not_yet"}


@pytest.fixture
def closed(workshop: Workshop) -> Workshop:
    workshop.phase = Phase.CLOSED
    workshop.save()
    return workshop


def signed_in(user: AbstractBaseUser) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_answers_give_feedback_per_answer(closed: Workshop, facilitator: AbstractBaseUser) -> None:
    client = signed_in(facilitator)
    url = reverse("selfcheck:workshop", args=[closed.join_code])
    page = client.post(url, ANSWERS, follow=True)
    html = page.content.decode()
    assert "Your answers are kept. Here is the feedback." in html
    assert "Then it was a consultation" not in html  # that is the feedback on "no"
    assert "Tell participants plainly what was already decided" in html
    assert "The result may not hold for those it affects." in html
    assert "Agree now who gives the statuses and when." in html
    assert SelfCheck.objects.get(workshop=closed).answers == ANSWERS
    # Answering again replaces the answers.
    client.post(url, {**ANSWERS, "early": "yes"})
    assert SelfCheck.objects.get(workshop=closed).answers["early"] == "yes"


def test_the_answers_appear_in_every_format_of_the_summarys_method_section(
    closed: Workshop, facilitator: AbstractBaseUser
) -> None:
    assert summary_build(workshop=closed).method_notes == []
    self_check_answer(user=facilitator, workshop=closed, answers=ANSWERS)
    summary = summary_build(workshop=closed)
    assert {
        "label": "Asked early enough",
        "text": "Partly: the frame was set, the details were open",
    } in summary.method_notes
    html = summary_html(summary)
    method = html[html.index('id="method-heading"') : html.index('id="participation-heading"')]
    assert "Those affected in the room" in method and "No, mostly others" in method
    assert "- Participants will hear back: Not planned yet" in summary_markdown(summary)
    document = json.loads(summary_json(summary))
    jsonschema.validate(document, SCHEMA)
    assert len(document["method"]["notes"]) == len(QUESTIONS)


def test_an_open_workshop_has_no_self_check_yet(
    workshop: Workshop, facilitator: AbstractBaseUser
) -> None:
    page = signed_in(facilitator).get(reverse("selfcheck:workshop", args=[workshop.join_code]))
    assert "The self-check opens when the workshop has closed." in page.content.decode()
    with pytest.raises(ActionRefused) as refused:
        self_check_answer(user=facilitator, workshop=workshop, answers=ANSWERS)
    assert refused.value.code == "wrong_phase"
    assert not SelfCheck.objects.exists()


def test_a_missing_or_unknown_answer_changes_nothing(
    closed: Workshop, facilitator: AbstractBaseUser
) -> None:
    for answers in ({**ANSWERS, "early": ""}, {**ANSWERS, "hear_back": "maybe"}):
        with pytest.raises(ActionRefused):
            self_check_answer(user=facilitator, workshop=closed, answers=answers)
    page = signed_in(facilitator).post(
        reverse("selfcheck:workshop", args=[closed.join_code]), {"early": "yes"}
    )
    assert "Pick one answer." in page.content.decode()
    assert not SelfCheck.objects.exists()


def test_only_facilitators_answer(closed: Workshop, stranger: AbstractBaseUser) -> None:
    url = reverse("selfcheck:workshop", args=[closed.join_code])
    assert signed_in(stranger).post(url, ANSWERS).status_code == 404
    with pytest.raises(ActionRefused):
        self_check_answer(user=stranger, workshop=closed, answers=ANSWERS)
    assert not SelfCheck.objects.exists()


def test_totals_sum_the_answers_of_ones_own_workshops(
    closed: Workshop, facilitator: AbstractBaseUser, stranger: AbstractBaseUser
) -> None:
    self_check_answer(user=facilitator, workshop=closed, answers=ANSWERS)
    second = WorkshopFactory(owner=facilitator, phase=Phase.CLOSED)
    self_check_answer(user=facilitator, workshop=second, answers={**ANSWERS, "affected": "yes"})
    others = WorkshopFactory(owner=stranger, phase=Phase.CLOSED)
    self_check_answer(user=stranger, workshop=others, answers={**ANSWERS, "affected": "yes"})
    html = signed_in(facilitator).get(reverse("selfcheck:totals")).content.decode()
    assert "2 workshops have a self-check." in html
    affected = html[html.index("Were the people affected") :]
    affected = affected[: affected.index("</table>")]
    assert 'Yes, the groups affected took part</th><td class="number">1<' in affected
    assert 'No, mostly others</th><td class="number">1<' in affected


def test_the_closed_workshops_console_opens_on_the_self_check_and_routing(
    closed: Workshop, facilitator: AbstractBaseUser
) -> None:
    html = signed_in(facilitator).get(reverse("workshops:console", args=[closed.join_code]))
    page = html.content.decode()
    shown = page[page.index('data-tool="summary"') :]
    shown = shown[: shown.index('class="tool"')] if 'class="tool"' in shown else shown
    assert 'data-tool="summary" hidden' not in page
    assert reverse("selfcheck:workshop", args=[closed.join_code]) in shown
    assert reverse("routing:workshop", args=[closed.join_code]) in shown
