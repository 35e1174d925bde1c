"""The whole path of routing: suggest, abstain, confirm, retrain, report.

Trained on the labelled set shipped in tests/routing/data (written for these tests).
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.core.management import call_command
from django.test import override_settings

from administrations.models import Administration
from ideas.models import Cluster, Idea
from routing.models import Kind, Method, Routing, RoutingModel
from routing.selectors import routing_advice
from routing.services import routing_decide
from routing.tasks import routing_model_retrain
from summaries.models import PropositionField, ValueProposition
from tests.factories import IdeaFactory, ParticipantFactory, UserFactory
from tests.routing.labelled import administrations_create, labelled_rows
from workshops.errors import ActionRefused
from workshops.models import Workshop

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrations(db: None) -> dict[str, Administration]:
    return administrations_create()


def idea(workshop: Workshop, text: str) -> Idea:
    return IdeaFactory(author=ParticipantFactory(workshop=workshop), text=text)


def confirm_labelled_set(
    workshop: Workshop, user: AbstractBaseUser, administrations: dict[str, Administration]
) -> None:
    """A facilitator routes every idea of the labelled set as labelled."""
    for row in labelled_rows():
        item = idea(workshop, row["text"])
        routing_decide(
            user=user,
            kind=Kind.IDEA,
            object_id=item.pk,
            administration_id=administrations[row["administration"]].pk,
        )


def test_with_no_history_the_keywords_suggest(
    administrations: dict[str, Administration],
) -> None:
    [advice] = routing_advice(["Byg en cykelsti til skolen og mal en cycle lane"])
    assert advice.method == Method.KEYWORDS
    assert advice.model_version is None
    assert [s.administration.slug for s in advice.suggestions] == ["roads", "schools"]
    assert advice.suggestions[0].confidence == pytest.approx(2 / 3)


def test_below_the_threshold_nothing_is_suggested(
    administrations: dict[str, Administration],
) -> None:
    # One hit each for roads and schools: neither reaches 0.6.
    with override_settings(SAMSKAB_ROUTING_MIN_CONFIDENCE=0.6):
        [split, unknown] = routing_advice(["cykelsti ved skolen", "Hello there"])
    assert split.abstained
    assert unknown.abstained and unknown.method == Method.KEYWORDS


def test_an_inactive_administration_is_never_suggested(
    administrations: dict[str, Administration],
) -> None:
    Administration.objects.filter(slug="roads").update(active=False)
    [advice] = routing_advice(["En ny cykelsti"])
    assert advice.abstained


def test_suggest_confirm_retrain_report(
    workshop: Workshop, facilitator: AbstractBaseUser, administrations: dict[str, Administration]
) -> None:
    assert routing_model_retrain.call() is None  # nothing confirmed yet: keywords serve

    confirm_labelled_set(workshop, facilitator, administrations)
    assert Routing.objects.count() == 105

    version = routing_model_retrain.call()
    model = RoutingModel.objects.get()
    assert version == model.version == 1
    assert model.examples == 105
    assert {row["name"] for row in model.figures["per_label"]} == {
        a.name for a in administrations.values()
    }
    assert 0.5 < model.figures["macro_f1"] <= 1.0
    assert 0.0 <= model.figures["abstention_share"] < 0.5

    # The model now suggests, in each language, for text it never saw.
    advice = routing_advice(
        [
            "En bredere cykelsti og færre huller i vejen",
            "Mer personal på äldreboendet",
            "Longer opening hours at the library",
        ]
    )
    assert [a.method for a in advice] == [Method.MODEL] * 3
    assert [a.first.slug if a.first else None for a in advice] == ["roads", "elderly", "culture"]
    for a in advice:
        assert a.model_version == 1
        assert a.suggestions[0].confidence >= 0.4
        assert len(a.suggestions) <= 3
    # Text that says nothing of any administration: the model abstains, a person decides.
    with override_settings(SAMSKAB_ROUTING_MIN_CONFIDENCE=0.9):
        [unsure] = routing_advice(["Ok"])
    assert unsure.abstained

    # Retraining an unchanged history stores no new version.
    assert routing_model_retrain.call() == 1
    # One more confirmation is new training data: a new version, with its own figures.
    extra = idea(workshop, "Cykelstien ved havnen trænger til ny asfalt")
    routing = routing_decide(
        user=facilitator,
        kind=Kind.IDEA,
        object_id=extra.pk,
        administration_id=administrations["roads"].pk,
    )
    assert routing.method == Method.MODEL and routing.model_version == 1 and routing.agreed
    assert routing.suggested[0]["administration"] == administrations["roads"].pk
    assert routing_model_retrain.call() == 2
    assert RoutingModel.objects.get(version=2).examples == 106

    out = io.StringIO()
    call_command("routing_report", stdout=out)
    report = out.getvalue()
    assert "106 routings, 5 administrations" in report
    assert "Model in use: version 2" in report
    for administration in administrations.values():
        assert administration.name in report
    assert "macro-F1" in report and "abstention share" in report


def test_the_report_reads_the_shipped_labelled_set() -> None:
    out = io.StringIO()
    call_command("routing_report", "--labelled", "tests/routing/data/labelled.csv", stdout=out)
    lines = out.getvalue().splitlines()
    assert "105 routings, 5 administrations" in lines[0]
    macro = next(line for line in lines if line.startswith("macro-F1"))
    assert 0.5 < float(macro.split()[-1]) <= 1.0
    assert any(line.startswith("abstention share") for line in lines)
    assert sum(1 for line in lines if line.split()[:1] in (["roads"], ["schools"])) == 2


def test_the_report_says_when_there_is_too_little_history(db: None) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Too little to evaluate"):
        call_command("routing_report", stdout=io.StringIO())


def test_picking_another_administration_is_kept_as_the_answer(
    workshop: Workshop, facilitator: AbstractBaseUser, administrations: dict[str, Administration]
) -> None:
    item = idea(workshop, "En cykelsti ved havnen")
    routing = routing_decide(
        user=facilitator,
        kind=Kind.IDEA,
        object_id=item.pk,
        administration_id=administrations["culture"].pk,
    )
    assert routing.administration == administrations["culture"]
    assert routing.method == Method.KEYWORDS and not routing.agreed
    assert routing.text == item.text
    # Deciding again changes the one routing of that item.
    routing_decide(
        user=facilitator,
        kind=Kind.IDEA,
        object_id=item.pk,
        administration_id=administrations["roads"].pk,
    )
    assert Routing.objects.get().administration == administrations["roads"]


def test_clusters_and_value_propositions_are_routed_by_their_words(
    workshop: Workshop, facilitator: AbstractBaseUser, administrations: dict[str, Administration]
) -> None:
    cluster = Cluster.objects.create(workshop=workshop, name="Getting there")
    for text in ("A cycle lane to the school", "Traffic calming on Mill Road"):
        item = idea(workshop, text)
        item.cluster = cluster
        item.save()
    proposition = ValueProposition.objects.create(workshop=workshop, cluster=cluster)
    PropositionField.objects.create(
        proposition=proposition, name=PropositionField.Name.NEED, text="Safe traffic on the way"
    )
    for kind, object_id in ((Kind.CLUSTER, cluster.pk), (Kind.VALUE_PROPOSITION, proposition.pk)):
        routing = routing_decide(
            user=facilitator,
            kind=kind,
            object_id=object_id,
            administration_id=administrations["roads"].pk,
        )
        assert routing.agreed, kind
        assert "Getting there" in routing.text and "traffic" in routing.text.casefold()


def test_who_may_route(
    workshop: Workshop,
    facilitator: AbstractBaseUser,
    stranger: AbstractBaseUser,
    administrations: dict[str, Administration],
) -> None:
    item = idea(workshop, "Plant trees")
    roads, environment = administrations["roads"], administrations["environment"]
    with pytest.raises(ActionRefused) as refused:
        routing_decide(user=stranger, kind=Kind.IDEA, object_id=item.pk, administration_id=roads.pk)
    assert refused.value.code == "forbidden"
    assert not Routing.objects.exists()

    routing_decide(user=facilitator, kind=Kind.IDEA, object_id=item.pk, administration_id=roads.pk)
    # A member of the administration it was sent to may pass it on; others may not.
    member = UserFactory(username="roads-member")
    roads.members.add(member)
    with pytest.raises(ActionRefused):
        routing_decide(
            user=stranger, kind=Kind.IDEA, object_id=item.pk, administration_id=environment.pk
        )
    routing_decide(user=member, kind=Kind.IDEA, object_id=item.pk, administration_id=environment.pk)
    assert Routing.objects.get().administration == environment
    # Now it is environment's: the roads member has no say any more.
    with pytest.raises(ActionRefused):
        routing_decide(user=member, kind=Kind.IDEA, object_id=item.pk, administration_id=roads.pk)


@pytest.mark.parametrize(
    ("kind", "exists", "active", "code"),
    [
        ("idea", False, True, "not_found"),
        ("petition", True, True, "not_found"),
        ("idea", True, False, "invalid"),
    ],
)
def test_bad_input_changes_nothing(
    workshop: Workshop,
    facilitator: AbstractBaseUser,
    administrations: dict[str, Administration],
    kind: str,
    exists: bool,
    active: bool,
    code: str,
) -> None:
    item = idea(workshop, "Plant trees")
    roads = administrations["roads"]
    if not active:
        Administration.objects.filter(pk=roads.pk).update(active=False)
    with pytest.raises(ActionRefused) as refused:
        routing_decide(
            user=facilitator,
            kind=kind,
            object_id=item.pk if exists else item.pk + 1000,
            administration_id=roads.pk,
        )
    assert refused.value.code == code
    assert not Routing.objects.exists()
