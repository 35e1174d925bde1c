"""The routing pages as a facilitator, an administration's member and a citizen see them."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.urls import reverse

from administrations.models import Administration
from routing.models import Kind, Routing
from routing.services import routing_decide, routing_model_train
from tests.factories import HOSTILE_HTML, IdeaFactory, ParticipantFactory, UserFactory
from tests.routing.labelled import administrations_create, labelled_rows
from tests.routing.worker import worker_pass
from workshops.models import Workshop

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrations(db: None) -> dict[str, Administration]:
    return administrations_create()


def signed_in(user: AbstractBaseUser) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_facilitator_sees_suggestions_and_abstentions(
    workshop: Workshop,
    facilitator: AbstractBaseUser,
    administrations: dict[str, Administration],
    django_capture_on_commit_callbacks: Any,
) -> None:
    author = ParticipantFactory(workshop=workshop)
    with django_capture_on_commit_callbacks(execute=True):
        IdeaFactory(author=author, text=f"A cycle lane by the harbour {HOSTILE_HTML}")
        IdeaFactory(author=author, text="Something else entirely")
    client = signed_in(facilitator)
    url = reverse("routing:workshop", args=[workshop.join_code])
    # Before the worker has read them, the page says so and a person may still choose.
    html = client.get(url).content.decode()
    assert html.count("The platform has not read this item yet") == 2
    assert "Confirm:" not in html and "Send there" in html

    assert worker_pass() == 2
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Confirm: Roads and Traffic" in html
    assert "(100 % sure)" in html
    assert "No suggestion: the platform is not sure enough. A person decides." in html
    assert "2 items wait for a decision." in html
    assert "not read this item yet" not in html and "older model" not in html
    assert HOSTILE_HTML not in html


def test_confirming_routes_the_item_and_says_so(
    workshop: Workshop, facilitator: AbstractBaseUser, administrations: dict[str, Administration]
) -> None:
    idea = IdeaFactory(author=ParticipantFactory(workshop=workshop), text="A cycle lane")
    client = signed_in(facilitator)
    back = reverse("routing:workshop", args=[workshop.join_code])
    answer = client.post(
        reverse("routing:route"),
        {
            "kind": "idea",
            "object_id": idea.pk,
            "administration": administrations["roads"].pk,
            "next": back,
        },
        follow=True,
    )
    assert answer.redirect_chain[-1][0] == back
    html = answer.content.decode()
    assert "Sent to Roads and Traffic: “A cycle lane”." in html
    assert "Sent to <strong>Roads and Traffic</strong>" in html
    assert "0 items wait for a decision." in html
    assert Routing.objects.get().agreed


def test_a_missing_choice_is_an_error_and_routes_nothing(
    workshop: Workshop, facilitator: AbstractBaseUser, administrations: dict[str, Administration]
) -> None:
    idea = IdeaFactory(author=ParticipantFactory(workshop=workshop), text="A cycle lane")
    answer = signed_in(facilitator).post(
        reverse("routing:route"),
        {
            "kind": "idea",
            "object_id": idea.pk,
            "administration": "",
            "next": "https://evil.example/",
        },
        follow=True,
    )
    assert answer.redirect_chain[-1][0] == reverse("routing:overview")
    assert "Pick an administration first." in answer.content.decode()
    assert not Routing.objects.exists()


def test_others_do_not_see_a_workshops_routing(
    workshop: Workshop, stranger: AbstractBaseUser, administrations: dict[str, Administration]
) -> None:
    url = reverse("routing:workshop", args=[workshop.join_code])
    assert signed_in(stranger).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to sign in


def test_an_administration_sees_what_was_sent_to_it(
    workshop: Workshop,
    facilitator: AbstractBaseUser,
    stranger: AbstractBaseUser,
    administrations: dict[str, Administration],
) -> None:
    idea = IdeaFactory(author=ParticipantFactory(workshop=workshop), text="Plant more trees")
    roads = administrations["environment"]
    routing_decide(user=facilitator, kind=Kind.IDEA, object_id=idea.pk, administration_id=roads.pk)
    member = UserFactory(username="member")
    roads.members.add(member)
    url = reverse("routing:administration", args=[roads.slug])
    html = signed_in(member).get(url).content.decode()
    assert "Plant more trees" in html
    assert "Pass on to" in html
    overview = signed_in(member).get(reverse("routing:overview")).content.decode()
    assert "What was sent to Climate and Environment" in overview
    assert signed_in(stranger).get(url).status_code == 404


def test_the_public_register_describes_the_keywords_then_the_live_model(
    workshop: Workshop, facilitator: AbstractBaseUser, administrations: dict[str, Administration]
) -> None:
    url = reverse("routing:register")
    before = Client().get(url).content.decode()
    assert "No model has been trained yet" in before
    assert "cykelsti, cykelbana, cycle lane" in before
    assert "a confidence of 0.4" in before

    author = ParticipantFactory(workshop=workshop)
    for row in labelled_rows():
        idea = IdeaFactory(author=author, text=row["text"])
        routing_decide(
            user=facilitator,
            kind=Kind.IDEA,
            object_id=idea.pk,
            administration_id=administrations[row["administration"]].pk,
        )
    model = routing_model_train()
    assert model is not None
    after = Client().get(url).content.decode()
    assert "Version 1, trained on" in after
    assert "from 105 routings" in after
    assert f"{model.figures['macro_f1']:.2f}" in after
    assert "Elderly Care" in after and "Figures per administration" in after
    assert "elderly@example.org" in after
