"""Every new item gets its suggestion from the worker, kept with the model that made it.

Kept suggestions are what the people deciding see; a new model (or new keywords)
makes them stale, and the retraining job works them out again.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from administrations.models import Administration
from challenges import services as challenge_services
from challenges.models import Citizen
from ideas.models import Cluster, Idea
from routing.models import Kind, Method, Routing, StoredSuggestion
from routing.selectors import routing_rows_of_workshop
from routing.services import routing_decide, routing_suggestions_refresh
from routing.tasks import routing_model_retrain
from summaries.models import ValueProposition
from tests.challenges.conftest import make_challenge
from tests.factories import IdeaFactory, ParticipantFactory
from tests.routing.labelled import administrations_create, labelled_rows
from tests.routing.worker import worker_pass
from workshops.models import Workshop

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrations(db: None) -> dict[str, Administration]:
    return administrations_create()


def queued() -> list[tuple[str, int]]:
    return sorted(
        (row.task_result.kwargs["kind"], row.task_result.kwargs["object_id"])
        for row in DBTaskResult.objects.filter(task_path="routing.tasks.routing_item_suggest")
    )


def kept(kind: str, object_id: int) -> StoredSuggestion:
    return StoredSuggestion.objects.get(kind=kind, object_id=object_id)


def test_every_new_kind_of_item_is_handed_to_the_worker(
    workshop: Workshop,
    facilitator: AbstractBaseUser,
    administrations: dict[str, Administration],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        idea = IdeaFactory(author=ParticipantFactory(workshop=workshop), text="A cycle lane")
        held = IdeaFactory(
            author=ParticipantFactory(workshop=workshop),
            text="Waiting for a moderator",
            status=Idea.Status.HELD,
        )
        cluster = Cluster.objects.create(workshop=workshop, name="Traffic")
        proposition = ValueProposition.objects.create(workshop=workshop, cluster=cluster)
        challenge = make_challenge(facilitator, administrations["roads"])
        proposal = challenge_services.proposal_submit(
            challenge=challenge,
            citizen=Citizen.objects.create(),
            title="More trees",
            text="Plant trees along the avenue.",
        )
    assert queued() == sorted(
        [
            (Kind.IDEA, idea.pk),
            (Kind.CLUSTER, cluster.pk),
            (Kind.VALUE_PROPOSITION, proposition.pk),
            (Kind.PROPOSAL, proposal.pk),
        ]
    )
    # A held idea is not public: it waits until a moderator publishes it.
    assert (Kind.IDEA, held.pk) not in queued()
    assert worker_pass() == 4
    assert kept(Kind.IDEA, idea.pk).suggested[0]["administration"] == administrations["roads"].pk
    assert kept(Kind.PROPOSAL, proposal.pk).method == Method.KEYWORDS
    # A second look at the same words writes nothing.
    assert routing_suggestions_refresh() == 0


def test_an_abstention_is_kept_and_shown_as_a_person_decides(
    workshop: Workshop, administrations: dict[str, Administration]
) -> None:
    idea = IdeaFactory(author=ParticipantFactory(workshop=workshop), text="Hello there")
    with override_settings(SAMSKAB_ROUTING_MIN_CONFIDENCE=0.4):
        assert routing_suggestions_refresh() == 1
    stored = kept(Kind.IDEA, idea.pk)
    assert stored.suggested == [] and stored.threshold == 0.4
    [row] = routing_rows_of_workshop(workshop=workshop)
    assert row.advice.abstained and not row.advice.pending


def test_a_new_model_makes_kept_suggestions_stale_until_the_worker_reads_them_again(
    workshop: Workshop, facilitator: AbstractBaseUser, administrations: dict[str, Administration]
) -> None:
    author = ParticipantFactory(workshop=workshop)
    waiting = IdeaFactory(author=author, text="Mer personal på äldreboendet")
    routing_suggestions_refresh()
    assert kept(Kind.IDEA, waiting.pk).method == Method.KEYWORDS
    assert kept(Kind.IDEA, waiting.pk).model_version is None

    # The history of confirmed routings: the labelled set, routed as labelled.
    for row in labelled_rows():
        item = IdeaFactory(author=author, text=row["text"])
        routing_decide(
            user=facilitator,
            kind=Kind.IDEA,
            object_id=item.pk,
            administration_id=administrations[row["administration"]].pk,
        )
    # Trained without the refresh that follows in the job: the page marks the old one.
    from routing.services import routing_model_train

    assert routing_model_train() is not None
    rows = {row.item.object_id: row for row in routing_rows_of_workshop(workshop=workshop)}
    assert rows[waiting.pk].advice.outdated
    assert rows[waiting.pk].advice.method == Method.KEYWORDS

    assert routing_model_retrain.call() == 1
    stored = kept(Kind.IDEA, waiting.pk)
    assert (stored.method, stored.model_version, stored.basis) == (Method.MODEL, 1, "model:1")
    assert stored.suggested[0]["administration"] == administrations["elderly"].pk
    rows = {row.item.object_id: row for row in routing_rows_of_workshop(workshop=workshop)}
    assert not rows[waiting.pk].advice.outdated
    assert rows[waiting.pk].advice.first == administrations["elderly"]

    # Confirming records what the page showed: the kept suggestion and its model.
    routing = routing_decide(
        user=facilitator,
        kind=Kind.IDEA,
        object_id=waiting.pk,
        administration_id=administrations["elderly"].pk,
    )
    assert routing.agreed and routing.model_version == 1
    assert routing.suggested == stored.suggested
    assert Routing.objects.count() == 106


def test_new_keywords_changed_words_and_gone_items_are_caught_up(
    workshop: Workshop, administrations: dict[str, Administration]
) -> None:
    author = ParticipantFactory(workshop=workshop)
    bench = IdeaFactory(author=author, text="A bench in the park")
    gone = IdeaFactory(author=author, text="A cycle lane")
    assert routing_suggestions_refresh() == 2
    assert kept(Kind.IDEA, bench.pk).suggested == []

    culture = administrations["culture"]
    culture.keywords += "\npark"
    culture.save()
    [row] = [r for r in routing_rows_of_workshop(workshop=workshop) if r.item.object_id == bench.pk]
    assert row.advice.outdated
    Idea.objects.filter(pk=gone.pk).delete()
    Idea.objects.filter(pk=bench.pk).update(text="A bench in the park by the library")
    assert routing_suggestions_refresh() == 1
    assert kept(Kind.IDEA, bench.pk).suggested[0]["administration"] == culture.pk
    assert not StoredSuggestion.objects.filter(kind=Kind.IDEA, object_id=gone.pk).exists()
