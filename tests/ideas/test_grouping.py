"""Grouping the wall: clusters, moving, merging, tags and the participants' permission."""

from __future__ import annotations

from typing import Any

import pytest

from ideas import grouping
from ideas.models import Cluster, ClusterSuggestion, Idea
from ideas.selectors import clusters_of
from ideas.serializers import idea_as_dict
from tests.factories import (
    HOSTILE_HTML,
    IdeaFactory,
    ParticipantFactory,
    WorkshopFactory,
    actor_for,
)
from workshops.actors import Actor, actor_refresh
from workshops.errors import ActionRefused
from workshops.models import Workshop
from workshops.phases import Phase
from workshops.selectors import room_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def host(workshop: Workshop) -> Actor:
    """The facilitator, with the room in the group phase."""
    return actor_for("facilitator", workshop, Phase.GROUP)


def idea_in(workshop: Workshop, text: str) -> Idea:
    return IdeaFactory(author=ParticipantFactory(workshop=workshop), text=text)


def board(workshop: Workshop) -> list[tuple[str, list[str]]]:
    """The board as a person sees it: each cluster's name and its ideas' words."""
    return [
        (
            cluster.name,
            sorted(cluster.ideas.filter(status="published").values_list("text", flat=True)),
        )
        for cluster in clusters_of(workshop=workshop)
    ]


def unsorted(workshop: Workshop) -> list[str]:
    return sorted(
        Idea.objects.filter(workshop=workshop, status="published", cluster=None).values_list(
            "text", flat=True
        )
    )


class TestClusters:
    def test_new_clusters_line_up_in_the_order_they_were_made(self, host: Actor) -> None:
        grouping.cluster_create(actor=host, name="Bikes")
        grouping.cluster_create(actor=host, name=f"  Library {HOSTILE_HTML} ")

        assert board(host.workshop) == [("Bikes", []), ("Library alert(1)", [])]

    @pytest.mark.parametrize("name", ["", "   ", HOSTILE_HTML.replace("alert(1)", ""), 42, None])
    def test_a_cluster_needs_a_name(self, host: Actor, name: Any) -> None:
        with pytest.raises(ActionRefused) as refused:
            grouping.cluster_create(actor=host, name=name)

        assert refused.value.code == "invalid"
        assert not Cluster.objects.exists()

    def test_a_name_too_long_is_refused(self, host: Actor) -> None:
        with pytest.raises(ActionRefused) as refused:
            grouping.cluster_create(actor=host, name="x" * 121)

        assert refused.value.code == "invalid"
        assert "120" in refused.value.message

    def test_rename(self, host: Actor) -> None:
        cluster = grouping.cluster_create(actor=host, name="Bikes")

        renamed = grouping.cluster_rename(actor=host, cluster_id=cluster.pk, name="Cycling")

        assert board(host.workshop) == [("Cycling", [])]
        assert renamed.revision == 2

    def test_reorder(self, host: Actor) -> None:
        a, b, c = (grouping.cluster_create(actor=host, name=n) for n in "ABC")

        grouping.clusters_reorder(actor=host, cluster_ids=[c.pk, a.pk, b.pk])

        assert [name for name, _ in board(host.workshop)] == ["C", "A", "B"]

    @pytest.mark.parametrize("which", ["missing", "extra", "twice", "not-a-list"])
    def test_a_reorder_that_does_not_name_each_cluster_once_changes_nothing(
        self, host: Actor, which: str
    ) -> None:
        a, b = (grouping.cluster_create(actor=host, name=n) for n in "AB")
        elsewhere = Cluster.objects.create(workshop=WorkshopFactory(), name="Other room")
        ids: Any = {
            "missing": [b.pk],
            "extra": [b.pk, a.pk, elsewhere.pk],
            "twice": [b.pk, a.pk, a.pk],
            "not-a-list": f"{b.pk},{a.pk}",
        }[which]

        with pytest.raises(ActionRefused) as refused:
            grouping.clusters_reorder(actor=host, cluster_ids=ids)

        assert refused.value.code in {"conflict", "invalid"}
        assert [name for name, _ in board(host.workshop)] == ["A", "B"]

    def test_deleting_a_cluster_puts_its_ideas_back_among_the_unsorted(self, host: Actor) -> None:
        cluster = grouping.cluster_create(actor=host, name="Bikes")
        lanes = idea_in(host.workshop, "Bike lanes")
        idea_in(host.workshop, "Longer hours")
        grouping.idea_move(actor=host, idea_id=lanes.pk, cluster_id=cluster.pk)

        grouping.cluster_delete(actor=host, cluster_id=cluster.pk)

        assert board(host.workshop) == []
        assert unsorted(host.workshop) == ["Bike lanes", "Longer hours"]
        assert Idea.objects.get(pk=lanes.pk).revision > 1, "screens must take the change"

    def test_a_cluster_of_another_workshop_cannot_be_touched(self, host: Actor) -> None:
        elsewhere = Cluster.objects.create(workshop=WorkshopFactory(), name="Other room")

        for call in (
            lambda: grouping.cluster_rename(actor=host, cluster_id=elsewhere.pk, name="Mine"),
            lambda: grouping.cluster_delete(actor=host, cluster_id=elsewhere.pk),
            lambda: grouping.cluster_tag(actor=host, cluster_id=elsewhere.pk, tags=["x"]),
        ):
            with pytest.raises(ActionRefused) as refused:
                call()
            assert refused.value.code == "not_found"

        stored = Cluster.objects.get(pk=elsewhere.pk)
        assert (stored.name, list(stored.tags.names())) == ("Other room", [])


class TestMoving:
    def test_into_a_cluster_and_back_out(self, host: Actor) -> None:
        cluster = grouping.cluster_create(actor=host, name="Bikes")
        idea = idea_in(host.workshop, "Bike lanes")

        moved = grouping.idea_move(actor=host, idea_id=idea.pk, cluster_id=cluster.pk)
        assert board(host.workshop) == [("Bikes", ["Bike lanes"])]
        assert idea_as_dict(moved)["cluster_id"] == cluster.pk

        grouping.idea_move(actor=host, idea_id=idea.pk, cluster_id=None)
        assert board(host.workshop) == [("Bikes", [])]
        assert unsorted(host.workshop) == ["Bike lanes"]

    def test_an_idea_of_another_workshop_cannot_be_moved(self, host: Actor) -> None:
        cluster = grouping.cluster_create(actor=host, name="Bikes")
        foreign = idea_in(WorkshopFactory(), "Someone else's idea")

        with pytest.raises(ActionRefused) as refused:
            grouping.idea_move(actor=host, idea_id=foreign.pk, cluster_id=cluster.pk)

        assert refused.value.code == "not_found"
        assert Idea.objects.get(pk=foreign.pk).cluster_id is None

    def test_an_idea_cannot_move_into_another_workshops_cluster(self, host: Actor) -> None:
        idea = idea_in(host.workshop, "Bike lanes")
        elsewhere = Cluster.objects.create(workshop=WorkshopFactory(), name="Other room")

        with pytest.raises(ActionRefused) as refused:
            grouping.idea_move(actor=host, idea_id=idea.pk, cluster_id=elsewhere.pk)

        assert refused.value.code == "not_found"
        assert Idea.objects.get(pk=idea.pk).cluster_id is None

    @pytest.mark.parametrize("idea_id", ["1", None, True, 1.5])
    def test_a_malformed_idea_id_is_invalid(self, host: Actor, idea_id: Any) -> None:
        with pytest.raises(ActionRefused) as refused:
            grouping.idea_move(actor=host, idea_id=idea_id, cluster_id=None)

        assert refused.value.code == "invalid"

    def test_a_withdrawn_idea_cannot_be_sorted(self, host: Actor) -> None:
        cluster = grouping.cluster_create(actor=host, name="Bikes")
        idea = idea_in(host.workshop, "Bike lanes")
        Idea.objects.filter(pk=idea.pk).update(status=Idea.Status.WITHDRAWN)

        with pytest.raises(ActionRefused) as refused:
            grouping.idea_move(actor=host, idea_id=idea.pk, cluster_id=cluster.pk)

        assert refused.value.code == "not_found"

    def test_a_citizen_may_not_group_until_the_facilitator_allows_it(
        self, host: Actor, citizen: Actor
    ) -> None:
        cluster = grouping.cluster_create(actor=host, name="Bikes")
        idea = idea_in(host.workshop, "Bike lanes")
        phone = actor_refresh(citizen)

        with pytest.raises(ActionRefused) as refused:
            grouping.idea_move(actor=phone, idea_id=idea.pk, cluster_id=cluster.pk)
        assert refused.value.code == "forbidden"
        assert "facilitator" in refused.value.message
        assert board(host.workshop) == [("Bikes", [])]

        grouping.grouping_set_permission(actor=host, allowed=True)
        grouping.idea_move(actor=actor_refresh(phone), idea_id=idea.pk, cluster_id=cluster.pk)
        assert board(host.workshop) == [("Bikes", ["Bike lanes"])]

        grouping.grouping_set_permission(actor=actor_refresh(host), allowed=False)
        with pytest.raises(ActionRefused) as refused:
            grouping.idea_move(actor=actor_refresh(phone), idea_id=idea.pk, cluster_id=None)
        assert refused.value.code == "forbidden"
        assert board(host.workshop) == [("Bikes", ["Bike lanes"])]

    def test_the_permission_is_a_yes_or_no(self, host: Actor) -> None:
        with pytest.raises(ActionRefused) as refused:
            grouping.grouping_set_permission(actor=host, allowed="yes")

        assert refused.value.code == "invalid"
        assert Workshop.objects.get(pk=host.workshop.pk).participants_may_group is False

    def test_the_snapshot_tells_everyone_whether_participants_may_group(
        self, host: Actor, citizen: Actor
    ) -> None:
        assert room_snapshot(actor=citizen)["grouping"] == {"participants_may_group": False}

        grouping.grouping_set_permission(actor=host, allowed=True)

        snapshot = room_snapshot(actor=actor_refresh(citizen))
        assert snapshot["grouping"] == {"participants_may_group": True}


class TestMerging:
    def test_the_merged_idea_keeps_both_authors_words(self, host: Actor) -> None:
        target = idea_in(host.workshop, "Longer library hours")
        source = idea_in(host.workshop, f"Open the library later {HOSTILE_HTML}")

        kept, merged = grouping.idea_merge(actor=host, idea_id=source.pk, into_id=target.pk)

        stored = Idea.objects.get(pk=source.pk)
        assert (stored.status, stored.merged_into_id) == ("merged", target.pk)
        assert stored.text == source.text, "the duplicate's words are kept"
        shape = idea_as_dict(kept)
        assert [m["text"] for m in shape["merged"]] == [source.text]
        assert shape["merged"][0]["author_name"] == source.author.display_name
        wall = room_snapshot(actor=host)["ideas"]
        assert [idea["id"] for idea in wall] == [target.pk]
        assert [m["id"] for m in wall[0]["merged"]] == [source.pk]
        assert idea_as_dict(merged)["merged_into"] == target.pk

    def test_merging_a_merged_target_collects_every_duplicate(self, host: Actor) -> None:
        first = idea_in(host.workshop, "Longer hours")
        second = idea_in(host.workshop, "Open later")
        third = idea_in(host.workshop, "Open till ten")
        grouping.idea_merge(actor=host, idea_id=second.pk, into_id=first.pk)

        kept, _ = grouping.idea_merge(actor=host, idea_id=first.pk, into_id=third.pk)

        assert kept.pk == third.pk
        assert [m["text"] for m in idea_as_dict(kept)["merged"]] == ["Longer hours", "Open later"]

    def test_an_idea_cannot_be_merged_into_itself(self, host: Actor) -> None:
        idea = idea_in(host.workshop, "Longer hours")

        with pytest.raises(ActionRefused) as refused:
            grouping.idea_merge(actor=host, idea_id=idea.pk, into_id=idea.pk)

        assert refused.value.code == "invalid"
        assert Idea.objects.get(pk=idea.pk).status == "published"

    def test_an_idea_of_another_workshop_cannot_be_merged(self, host: Actor) -> None:
        mine = idea_in(host.workshop, "Longer hours")
        foreign = idea_in(WorkshopFactory(), "Open later")

        for source, target in ((mine, foreign), (foreign, mine)):
            with pytest.raises(ActionRefused) as refused:
                grouping.idea_merge(actor=host, idea_id=source.pk, into_id=target.pk)
            assert refused.value.code == "not_found"

        assert set(Idea.objects.values_list("status", flat=True)) == {"published"}

    def test_an_already_merged_idea_cannot_be_merged_again(self, host: Actor) -> None:
        a, b, c = (idea_in(host.workshop, text) for text in ("A", "B", "C"))
        grouping.idea_merge(actor=host, idea_id=a.pk, into_id=b.pk)

        with pytest.raises(ActionRefused) as refused:
            grouping.idea_merge(actor=host, idea_id=a.pk, into_id=c.pk)

        assert refused.value.code == "not_found"
        assert Idea.objects.get(pk=a.pk).merged_into_id == b.pk


class TestTags:
    def test_tags_are_cleaned_once_each_and_shown_on_the_card(self, host: Actor) -> None:
        idea = idea_in(host.workshop, "Bike lanes")

        grouping.idea_tag(
            actor=host, idea_id=idea.pk, tags=["Safety", "safety", f"kids {HOSTILE_HTML}", " "]
        )

        [card] = room_snapshot(actor=host)["ideas"]
        assert card["tags"] == ["kids alert(1)", "Safety"]

    def test_tags_replace_the_earlier_ones_and_accept_a_comma_list(self, host: Actor) -> None:
        cluster = grouping.cluster_create(actor=host, name="Bikes")
        grouping.cluster_tag(actor=host, cluster_id=cluster.pk, tags="traffic, budget")

        grouping.cluster_tag(actor=host, cluster_id=cluster.pk, tags=["budget"])

        [shown] = room_snapshot(actor=host)["clusters"]
        assert shown["tags"] == ["budget"]

    @pytest.mark.parametrize("tags", [["x" * 41], [str(n) for n in range(11)], [1, 2], None])
    def test_bad_tags_change_nothing(self, host: Actor, tags: Any) -> None:
        idea = idea_in(host.workshop, "Bike lanes")
        grouping.idea_tag(actor=host, idea_id=idea.pk, tags=["kept"])

        with pytest.raises(ActionRefused) as refused:
            grouping.idea_tag(actor=host, idea_id=idea.pk, tags=tags)

        assert refused.value.code == "invalid"
        assert list(Idea.objects.get(pk=idea.pk).tags.names()) == ["kept"]


class TestSuggestions:
    @pytest.fixture
    def wall(self, host: Actor) -> dict[str, Idea]:
        texts = {
            "bike-en": "Safe bike lanes to school",
            "bike-da": "Sikre cykelstier til skolen",
            "bike-da2": "Flere cykelstier langs hovedgaden",
            "bike-en2": "More bike lanes on the main street",
            "lib-en": "Longer opening hours at the library",
            "lib-en2": "Library opening hours until ten",
        }
        return {key: idea_in(host.workshop, text) for key, text in texts.items()}

    def test_nothing_moves_until_a_facilitator_accepts(
        self, host: Actor, wall: dict[str, Idea]
    ) -> None:
        suggestions = grouping.clusters_suggest(actor=host)

        assert suggestions, "six ideas on two topics should give proposals"
        assert board(host.workshop) == []
        assert len(unsorted(host.workshop)) == 6
        assert all(s.status == "pending" for s in suggestions)

    def test_accepting_with_an_edited_name_makes_the_cluster(
        self, host: Actor, wall: dict[str, Idea]
    ) -> None:
        suggestion = grouping.clusters_suggest(actor=host)[0]
        members = sorted(suggestion.ideas.values_list("text", flat=True))

        grouping.suggestion_accept(
            actor=host, suggestion_id=suggestion.pk, name=f"Cycling {HOSTILE_HTML}"
        )

        assert board(host.workshop) == [("Cycling alert(1)", members)]
        stored = ClusterSuggestion.objects.get(pk=suggestion.pk)
        assert stored.status == "accepted"
        assert stored.cluster is not None
        assert "suggestions" in room_snapshot(actor=host)
        assert suggestion.pk not in [s["id"] for s in room_snapshot(actor=host)["suggestions"]]

    def test_accepting_keeps_the_suggested_name_when_none_is_given(
        self, host: Actor, wall: dict[str, Idea]
    ) -> None:
        suggestion = grouping.clusters_suggest(actor=host)[0]

        _, cluster = grouping.suggestion_accept(actor=host, suggestion_id=suggestion.pk, name="")

        assert cluster.name == suggestion.name

    def test_an_idea_a_person_sorted_meanwhile_stays_where_they_put_it(
        self, host: Actor, wall: dict[str, Idea]
    ) -> None:
        suggestion = grouping.clusters_suggest(actor=host)[0]
        [first, *rest] = list(suggestion.ideas.order_by("pk"))
        mine = grouping.cluster_create(actor=host, name="Mine")
        grouping.idea_move(actor=host, idea_id=first.pk, cluster_id=mine.pk)

        _, cluster = grouping.suggestion_accept(actor=host, suggestion_id=suggestion.pk)

        assert Idea.objects.get(pk=first.pk).cluster_id == mine.pk
        assert set(cluster.ideas.values_list("pk", flat=True)) == {idea.pk for idea in rest}

    def test_reject_and_then_deciding_again_is_a_conflict(
        self, host: Actor, wall: dict[str, Idea]
    ) -> None:
        suggestion = grouping.clusters_suggest(actor=host)[0]
        grouping.suggestion_reject(actor=host, suggestion_id=suggestion.pk)

        with pytest.raises(ActionRefused) as refused:
            grouping.suggestion_accept(actor=host, suggestion_id=suggestion.pk)

        assert refused.value.code == "conflict"
        assert board(host.workshop) == []

    def test_asking_again_replaces_the_undecided_proposals(
        self, host: Actor, wall: dict[str, Idea]
    ) -> None:
        first_round = grouping.clusters_suggest(actor=host)
        second_round = grouping.clusters_suggest(actor=host)

        pending = [s["id"] for s in room_snapshot(actor=host)["suggestions"]]
        assert pending == [s.pk for s in second_round]
        assert ClusterSuggestion.objects.get(pk=first_round[0].pk).status == "replaced"

    def test_only_facilitators_see_proposals(
        self, host: Actor, citizen: Actor, observer: Actor, wall: dict[str, Idea]
    ) -> None:
        grouping.clusters_suggest(actor=host)

        assert room_snapshot(actor=host)["suggestions"]
        assert "suggestions" not in room_snapshot(actor=actor_refresh(citizen))
        assert "suggestions" not in room_snapshot(actor=actor_refresh(observer))

    def test_a_suggestion_of_another_workshop_is_not_found(
        self, host: Actor, wall: dict[str, Idea]
    ) -> None:
        other = WorkshopFactory(phase=Phase.GROUP)
        foreign = ClusterSuggestion.objects.create(workshop=other, name="Theirs")

        with pytest.raises(ActionRefused) as refused:
            grouping.suggestion_accept(actor=host, suggestion_id=foreign.pk)

        assert refused.value.code == "not_found"
        assert not Cluster.objects.exists()


def test_sorting_or_tagging_an_idea_does_not_mark_it_edited(host: Actor) -> None:
    cluster = grouping.cluster_create(actor=host, name="Bikes")
    idea = idea_in(host.workshop, "Bike lanes")

    grouping.idea_move(actor=host, idea_id=idea.pk, cluster_id=cluster.pk)
    tagged = grouping.idea_tag(actor=host, idea_id=idea.pk, tags=["traffic"])

    shape = idea_as_dict(tagged)
    assert shape["revision"] == 3, "screens still tell the newer state by its revision"
    assert shape["edited"] is False
