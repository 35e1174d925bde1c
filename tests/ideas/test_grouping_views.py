"""Grouping over plain HTTP: the console's forms (with and without script) and the hint."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ideas.models import Cluster, ClusterSuggestion, Idea
from tests.factories import HOSTILE_HTML, IdeaFactory, ParticipantFactory
from workshops.models import Workshop
from workshops.phases import Phase

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def url(name: str, workshop: Workshop, **kwargs: Any) -> str:
    return reverse(f"ideas:{name}", kwargs={"code": workshop.join_code, **kwargs})


@pytest.fixture
def grouping_room(workshop: Workshop) -> Workshop:
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.GROUP)
    return Workshop.objects.get(pk=workshop.pk)


def idea_in(workshop: Workshop, text: str) -> Idea:
    return IdeaFactory(author=ParticipantFactory(workshop=workshop), text=text)


def test_a_facilitator_without_script_builds_the_board_and_lands_back_on_the_console(
    facilitator_client: Client, grouping_room: Workshop
) -> None:
    idea = idea_in(grouping_room, "Bike lanes")

    created = facilitator_client.post(
        url("cluster_create", grouping_room), {"name": f"Bikes {HOSTILE_HTML}"}, follow=True
    )
    cluster = Cluster.objects.get(workshop=grouping_room)
    facilitator_client.post(
        url("move", grouping_room, idea_id=idea.pk), {"cluster_id": str(cluster.pk)}
    )

    assert created.redirect_chain[-1][0] == reverse(
        "workshops:console", kwargs={"code": grouping_room.join_code}
    )
    assert "The cluster is on the board." in created.content.decode()
    assert cluster.name == "Bikes alert(1)"
    assert Idea.objects.get(pk=idea.pk).cluster_id == cluster.pk


def test_the_script_gets_the_shapes_back(
    facilitator_client: Client, grouping_room: Workshop
) -> None:
    first = facilitator_client.post(url("cluster_create", grouping_room), {"name": "A"}, **JSON)
    second = facilitator_client.post(url("cluster_create", grouping_room), {"name": "B"}, **JSON)
    b = second.json()["cluster"]["id"]

    shifted = facilitator_client.post(
        url("cluster_shift", grouping_room, cluster_id=b), {"direction": "up"}, **JSON
    )

    assert first.status_code == 200
    assert [c["name"] for c in shifted.json()["clusters"]] == ["B", "A"]


@pytest.mark.parametrize("direction", ["sideways", "", "UP"])
def test_a_shift_in_no_direction_is_refused_and_moves_nothing(
    direction: str, facilitator_client: Client, grouping_room: Workshop
) -> None:
    facilitator_client.post(url("cluster_create", grouping_room), {"name": "A"}, **JSON)
    facilitator_client.post(url("cluster_create", grouping_room), {"name": "B"}, **JSON)
    a = Cluster.objects.get(name="A")

    refused = facilitator_client.post(
        url("cluster_shift", grouping_room, cluster_id=a.pk), {"direction": direction}, **JSON
    )

    assert refused.status_code == 400 and refused.json()["code"] == "invalid"
    assert "up or down" in refused.json()["message"]
    assert list(Cluster.objects.order_by("position").values_list("name", flat=True)) == ["A", "B"]


def test_merge_rename_tag_and_delete_over_http(
    facilitator_client: Client, grouping_room: Workshop
) -> None:
    kept = idea_in(grouping_room, "Longer hours")
    duplicate = idea_in(grouping_room, "Open later")
    cluster = Cluster.objects.create(workshop=grouping_room, name="Hours")

    merged = facilitator_client.post(
        url("merge", grouping_room, idea_id=duplicate.pk), {"into_id": str(kept.pk)}, **JSON
    )
    facilitator_client.post(
        url("cluster_rename", grouping_room, cluster_id=cluster.pk), {"name": "Time"}, **JSON
    )
    tagged = facilitator_client.post(
        url("tag", grouping_room, idea_id=kept.pk), {"tags": "time, library"}, **JSON
    )
    facilitator_client.post(url("cluster_delete", grouping_room, cluster_id=cluster.pk), **JSON)

    assert [m["text"] for m in merged.json()["idea"]["merged"]] == ["Open later"]
    assert tagged.json()["idea"]["tags"] == ["library", "time"]
    assert not Cluster.objects.filter(pk=cluster.pk).exists()


def test_suggest_then_accept_with_a_new_name(
    facilitator_client: Client, grouping_room: Workshop
) -> None:
    for text in ("Safe bike lanes", "More bike lanes", "Bike lanes to school"):
        idea_in(grouping_room, text)

    proposed = facilitator_client.post(url("suggest", grouping_room), **JSON).json()
    [suggestion] = proposed["suggestions"]
    accepted = facilitator_client.post(
        url("suggestion_accept", grouping_room, suggestion_id=suggestion["id"]),
        {"name": "Cycling"},
        **JSON,
    )

    assert accepted.json()["cluster"]["name"] == "Cycling"
    assert Cluster.objects.get(workshop=grouping_room).ideas.count() == 3
    assert ClusterSuggestion.objects.get(pk=suggestion["id"]).status == "accepted"


def test_a_citizen_may_not_group_until_allowed(
    citizen_client: Client, facilitator_client: Client, grouping_room: Workshop
) -> None:
    idea = idea_in(grouping_room, "Bike lanes")
    cluster = Cluster.objects.create(workshop=grouping_room, name="Bikes")
    move = url("move", grouping_room, idea_id=idea.pk)

    refused = citizen_client.post(move, {"cluster_id": str(cluster.pk)}, **JSON)
    facilitator_client.post(url("grouping_permission", grouping_room), {"allowed": "on"})
    allowed = citizen_client.post(move, {"cluster_id": str(cluster.pk)}, **JSON)

    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    assert allowed.status_code == 200
    assert Idea.objects.get(pk=idea.pk).cluster_id == cluster.pk


def test_a_citizen_without_script_is_sent_back_to_the_room_with_the_reason(
    citizen_client: Client, grouping_room: Workshop
) -> None:
    idea = idea_in(grouping_room, "Bike lanes")

    response = citizen_client.post(
        url("move", grouping_room, idea_id=idea.pk), {"cluster_id": ""}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse(
        "workshops:room", kwargs={"code": grouping_room.join_code}
    )
    assert "has not opened grouping" in response.content.decode()


def test_someone_outside_the_room_cannot_make_clusters(grouping_room: Workshop) -> None:
    response = Client().post(url("cluster_create", grouping_room), {"name": "Mine"}, **JSON)

    assert response.status_code == 403
    assert not Cluster.objects.exists()


def test_the_near_duplicate_hint_over_http(citizen_client: Client, workshop: Workshop) -> None:
    idea_in(workshop, "Longer opening hours at the library")
    idea_in(workshop, "More bike lanes")

    response = citizen_client.get(
        url("similar", workshop), {"text": "longer opening hours in the library"}
    )

    assert response.status_code == 200
    assert [m["idea"]["text"] for m in response.json()["ideas"]] == [
        "Longer opening hours at the library"
    ]


def test_the_hint_is_not_for_outsiders(workshop: Workshop) -> None:
    idea_in(workshop, "Longer opening hours at the library")

    response = Client().get(url("similar", workshop), {"text": "library hours"})

    assert response.status_code == 403
    assert "Longer" not in response.content.decode()


def test_the_console_shows_the_grouping_panel_with_pending_suggestions(
    facilitator_client: Client, grouping_room: Workshop
) -> None:
    ClusterSuggestion.objects.create(workshop=grouping_room, name=f"Bikes {HOSTILE_HTML}")

    page = facilitator_client.get(
        reverse("workshops:console", kwargs={"code": grouping_room.join_code})
    ).content.decode()

    assert "Suggest clusters" in page
    assert "ideas/group.css" in page
    assert 'value="Bikes &lt;script&gt;' in page or "Bikes &lt;script&gt;" in page
    assert "<script>alert" not in page


def test_the_phone_shows_the_clusters_but_never_the_suggestions(
    citizen_client: Client, grouping_room: Workshop
) -> None:
    cluster = Cluster.objects.create(workshop=grouping_room, name="Cycling")
    IdeaFactory(
        author=ParticipantFactory(workshop=grouping_room), text="Bike lanes", cluster=cluster
    )
    ClusterSuggestion.objects.create(workshop=grouping_room, name="Secret proposal")

    page = citizen_client.get(
        reverse("workshops:room", kwargs={"code": grouping_room.join_code})
    ).content.decode()

    assert "Cycling" in page
    assert "Secret proposal" not in page


@pytest.mark.parametrize("raw", ["9" * 5000, "-1", "1e3", "١٢"])
def test_an_absurd_id_is_refused_cleanly(
    facilitator_client: Client, grouping_room: Workshop, raw: str
) -> None:
    idea = idea_in(grouping_room, "Bike lanes")

    by_path = facilitator_client.post(url("move", grouping_room, idea_id=raw), **JSON)
    by_field = facilitator_client.post(
        url("merge", grouping_room, idea_id=idea.pk), {"into_id": raw}, **JSON
    )

    assert (by_path.status_code, by_field.status_code) == (400, 400)
    assert by_path.json()["code"] == by_field.json()["code"] == "invalid"
