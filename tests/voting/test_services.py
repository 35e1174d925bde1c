"""Voting as participants and facilitators meet it: dots, approvals, rankings, rules, tallies."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Sum

from ideas.models import Cluster, Idea
from tests.factories import IdeaFactory, ParticipantFactory, WorkshopFactory, actor_for
from tests.voting.conftest import RecordingLayer
from voting import services
from voting.models import Ballot, Vote
from voting.selectors import ballot_of, snapshot_part, tallies_of
from workshops.actors import Actor, actor_refresh
from workshops.errors import ActionRefused
from workshops.models import Workshop
from workshops.phases import Phase, Role
from workshops.services import workshop_change_phase

pytestmark = pytest.mark.django_db

DEFAULT_RULES: dict[str, Any] = {
    "method": "dots",
    "target": "idea",
    "dots_per_participant": 5,
    "max_dots_per_item": 3,
    "rank_count": 3,
    "show_live": False,
}


def configure(actor: Actor, **changes: Any) -> Ballot:
    ballot, _cleared = services.ballot_configure(actor=actor, **{**DEFAULT_RULES, **changes})
    return ballot


def dots(actor: Actor, idea: Idea, count: Any) -> services.OwnBallot:
    return services.vote_set(actor=actor, target_type="idea", target_id=idea.pk, dots=count)


def dots_on(idea: Idea) -> int:
    return Vote.objects.filter(idea=idea).aggregate(total=Sum("weight"))["total"] or 0


def votes_in(workshop: Workshop) -> list[tuple[int, int | None, int | None, int]]:
    return list(
        Vote.objects.filter(ballot__workshop=workshop)
        .order_by("pk")
        .values_list("participant_id", "idea_id", "cluster_id", "weight")
    )


class TestTheBallot:
    def test_a_room_nobody_configured_votes_with_five_dots_three_per_item(
        self, voting_room: Workshop
    ) -> None:
        ballot = ballot_of(workshop=voting_room)

        assert ballot.pk is None, "reading the rules must not write them"
        assert (ballot.method, ballot.target) == ("dots", "idea")
        assert (ballot.dots_per_participant, ballot.max_dots_per_item) == (5, 3)
        assert ballot.tallies_public is False

    def test_the_first_vote_creates_the_ballot_with_the_defaults(
        self, voter: Actor, ideas: list[Idea]
    ) -> None:
        own = dots(voter, ideas[0], 2)

        assert Ballot.objects.get(workshop=voter.workshop).method == "dots"
        assert own.remaining == 3

    def test_the_facilitator_sets_the_rules(self, host: Actor) -> None:
        configure(host, dots_per_participant=10, max_dots_per_item=4, show_live=True)

        stored = Ballot.objects.get(workshop=host.workshop)
        assert (stored.dots_per_participant, stored.max_dots_per_item) == (10, 4)
        assert stored.tallies_public is True

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"method": "plurality"}, "Choose one of the voting methods."),
            ({"target": "tags"}, "Choose whether people vote on ideas or on clusters."),
            ({"dots_per_participant": 0}, "Give each person between 1 and 50 dots."),
            ({"dots_per_participant": 51}, "Give each person between 1 and 50 dots."),
            ({"dots_per_participant": "5"}, "The dots per person must be a whole number."),
            ({"max_dots_per_item": 6}, "The dots allowed on one item must be between 1"),
            ({"max_dots_per_item": True}, "The dots per item must be a whole number."),
            ({"rank_count": 11}, "People can rank between 1 and 10 items."),
            ({"show_live": "yes"}, "Say whether tallies are shown live."),
        ],
    )
    def test_impossible_rules_are_explained_and_nothing_changes(
        self, host: Actor, changes: dict[str, Any], message: str
    ) -> None:
        configure(host, dots_per_participant=7)

        with pytest.raises(ActionRefused) as refused:
            configure(host, **changes)

        assert refused.value.code == "invalid"
        assert refused.value.message.startswith(message)
        assert Ballot.objects.get(workshop=host.workshop).dots_per_participant == 7

    def test_rules_cast_votes_depend_on_cannot_change_without_clearing_them(
        self, host: Actor, voter: Actor, second_voter: Actor, ideas: list[Idea]
    ) -> None:
        dots(voter, ideas[0], 2)
        dots(second_voter, ideas[1], 1)

        with pytest.raises(ActionRefused) as refused:
            configure(host, dots_per_participant=10)

        assert refused.value.code == "conflict"
        assert "2 people have voted" in refused.value.message
        assert Ballot.objects.get(workshop=host.workshop).dots_per_participant == 5
        assert dots_on(ideas[0]) == 2

    def test_clearing_the_votes_starts_a_fresh_hidden_vote_and_tells_each_voter(
        self,
        host: Actor,
        voter: Actor,
        ideas: list[Idea],
        room_bus: RecordingLayer,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        dots(voter, ideas[0], 2)
        services.tallies_reveal(actor=host)

        with django_capture_on_commit_callbacks(execute=True):
            ballot, cleared = services.ballot_configure(
                actor=host, **{**DEFAULT_RULES, "method": "approval"}, clear_votes=True
            )

        assert cleared == 1
        assert ballot.method == "approval"
        assert ballot.tallies_public is False, "a new vote starts with hidden tallies"
        assert not Vote.objects.exists()
        [(group, _audience, data)] = room_bus.deliveries("ballot.updated")
        assert group == f"participant.{voter.participant.pk}"
        assert data["votes"] == []
        [(_group, audience, configured)] = room_bus.deliveries("voting.configured")
        assert audience == "everyone"
        assert configured["ballot"]["method"] == "approval"

    def test_showing_tallies_live_needs_no_clearing_but_hiding_seen_ones_does(
        self, host: Actor, voter: Actor, ideas: list[Idea]
    ) -> None:
        dots(voter, ideas[0], 1)

        configure(host, show_live=True)
        assert ballot_of(workshop=host.workshop).tallies_public
        with pytest.raises(ActionRefused) as refused:
            configure(host, show_live=False)

        assert refused.value.code == "conflict"
        assert ballot_of(workshop=host.workshop).show_live is True
        assert dots_on(ideas[0]) == 1

    def test_revealing_shows_the_tallies_to_the_whole_room(
        self,
        host: Actor,
        voter: Actor,
        ideas: list[Idea],
        room_bus: RecordingLayer,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        dots(voter, ideas[1], 3)

        with django_capture_on_commit_callbacks(execute=True):
            services.tallies_reveal(actor=host)

        [(group, audience, data)] = room_bus.deliveries("tallies.revealed")
        assert (group, audience) == (f"workshop.{host.workshop.pk}", "everyone")
        assert data["ballot"]["revealed"] is True
        assert [(t["target_id"], t["total"]) for t in data["tallies"]] == [(ideas[1].pk, 3)]


class TestDots:
    def test_dots_land_on_the_idea_and_the_budget_shrinks(
        self, voter: Actor, ideas: list[Idea]
    ) -> None:
        own = dots(voter, ideas[0], 2)
        own = dots(actor_refresh(voter), ideas[1], 3)

        assert own.remaining == 0
        assert {(v.target_id, v.weight) for v in own.votes} == {(ideas[0].pk, 2), (ideas[1].pk, 3)}
        assert own.as_dict()["remaining"] == 0
        assert own.revision == 2

    def test_a_participant_moves_dots_from_one_idea_to_another(
        self, voter: Actor, ideas: list[Idea]
    ) -> None:
        dots(voter, ideas[0], 3)
        dots(voter, ideas[1], 2)

        dots(voter, ideas[0], 1)
        own = dots(voter, ideas[2], 2)

        assert (dots_on(ideas[0]), dots_on(ideas[1]), dots_on(ideas[2])) == (1, 2, 2)
        assert own.remaining == 0

    def test_zero_takes_every_dot_back(self, voter: Actor, ideas: list[Idea]) -> None:
        dots(voter, ideas[0], 3)

        own = dots(voter, ideas[0], 0)

        assert own.remaining == 5
        assert not Vote.objects.exists()

    def test_more_than_the_budget_is_refused_and_nothing_changes(
        self, voter: Actor, ideas: list[Idea]
    ) -> None:
        dots(voter, ideas[0], 3)
        dots(voter, ideas[1], 1)

        with pytest.raises(ActionRefused) as refused:
            dots(voter, ideas[2], 2)

        assert refused.value.code == "conflict"
        assert refused.value.message == "You have 1 dot left."
        assert dots_on(ideas[2]) == 0

    def test_more_than_the_per_item_limit_is_refused(self, voter: Actor, ideas: list[Idea]) -> None:
        with pytest.raises(ActionRefused) as refused:
            dots(voter, ideas[0], 4)

        assert refused.value.code == "invalid"
        assert refused.value.message == "At most 3 dots can go on one item."
        assert not Vote.objects.exists()

    def test_the_same_count_again_changes_nothing_and_tells_nobody(
        self,
        voter: Actor,
        ideas: list[Idea],
        room_bus: RecordingLayer,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        first = dots(voter, ideas[0], 2)

        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            again = dots(voter, ideas[0], 2)

        assert callbacks == []
        assert again.revision == first.revision
        assert again.remaining == 3
        assert dots_on(ideas[0]) == 2

    @pytest.mark.parametrize(
        "count",
        ["2", 1.5, True, None, -1, [2]],
        ids=["text", "fraction", "bool", "none", "neg", "list"],
    )
    def test_a_malformed_count_is_refused(
        self, voter: Actor, ideas: list[Idea], count: Any
    ) -> None:
        with pytest.raises(ActionRefused) as refused:
            dots(voter, ideas[0], count)

        assert refused.value.code == "invalid"
        assert not Vote.objects.exists()

    @pytest.mark.parametrize(
        "target_id", ["1", None, True, 1.0], ids=["text", "none", "bool", "float"]
    )
    def test_a_malformed_target_is_refused(self, voter: Actor, target_id: Any) -> None:
        with pytest.raises(ActionRefused) as refused:
            services.vote_set(actor=voter, target_type="idea", target_id=target_id, dots=1)

        assert refused.value.code == "invalid"
        assert not Vote.objects.exists()

    def test_voting_on_a_cluster_in_a_room_voting_on_ideas_is_refused(
        self, voter: Actor, ideas: list[Idea]
    ) -> None:
        cluster = Cluster.objects.create(workshop=voter.workshop, name="Opening hours")

        with pytest.raises(ActionRefused) as refused:
            services.vote_set(actor=voter, target_type="cluster", target_id=cluster.pk, dots=1)

        assert refused.value.code == "invalid"
        assert refused.value.message == "In this room you vote on ideas."

    def test_an_idea_of_another_workshop_is_not_found(self, voter: Actor) -> None:
        elsewhere = IdeaFactory(author=ParticipantFactory(workshop=WorkshopFactory()))

        with pytest.raises(ActionRefused) as refused:
            dots(voter, elsewhere, 1)

        assert refused.value.code == "not_found"
        assert not Vote.objects.exists()

    @pytest.mark.parametrize(
        "status", [Idea.Status.HIDDEN, Idea.Status.HELD, Idea.Status.WITHDRAWN], ids=str
    )
    def test_an_idea_off_the_wall_cannot_get_dots(
        self, voter: Actor, ideas: list[Idea], status: str
    ) -> None:
        Idea.objects.filter(pk=ideas[0].pk).update(status=status)

        with pytest.raises(ActionRefused) as refused:
            dots(voter, ideas[0], 1)

        assert refused.value.code == "not_found"
        assert refused.value.message == "That idea is not on the wall."
        assert not Vote.objects.exists()

    def test_dots_on_an_idea_hidden_later_can_be_taken_back(
        self, voter: Actor, ideas: list[Idea]
    ) -> None:
        dots(voter, ideas[0], 3)
        Idea.objects.filter(pk=ideas[0].pk).update(status=Idea.Status.HIDDEN)

        own = dots(voter, ideas[0], 0)

        assert own.remaining == 5

    def test_a_merged_idea_points_to_the_one_it_joined(
        self, voter: Actor, ideas: list[Idea]
    ) -> None:
        Idea.objects.filter(pk=ideas[0].pk).update(status=Idea.Status.MERGED, merged_into=ideas[1])

        with pytest.raises(ActionRefused) as refused:
            dots(voter, ideas[0], 1)

        assert refused.value.code == "invalid"
        assert "merged into another" in refused.value.message

    def test_dots_on_a_merged_idea_count_towards_the_limit_on_its_target(
        self, voter: Actor, ideas: list[Idea]
    ) -> None:
        dots(voter, ideas[0], 2)
        Idea.objects.filter(pk=ideas[0].pk).update(status=Idea.Status.MERGED, merged_into=ideas[1])

        with pytest.raises(ActionRefused) as refused:
            dots(voter, ideas[1], 2)

        assert refused.value.message == "At most 3 dots can go on one item."
        assert dots(voter, ideas[1], 1).remaining == 2

    @pytest.mark.parametrize("phase", [p for p in Phase if p != Phase.VOTE], ids=str)
    def test_outside_the_vote_phase_voting_is_refused_with_the_reason(
        self, voter: Actor, ideas: list[Idea], phase: Phase
    ) -> None:
        actor = actor_for("citizen", voter.workshop, phase, participant=voter.participant)

        with pytest.raises(ActionRefused) as refused:
            dots(actor, ideas[0], 1)

        assert refused.value.code == "wrong_phase"
        assert refused.value.message == "Voting is open only while the room is in the vote phase."
        assert not Vote.objects.exists()

    def test_a_phase_change_after_the_actor_was_read_still_closes_voting(
        self, voter: Actor, ideas: list[Idea]
    ) -> None:
        Workshop.objects.filter(pk=voter.workshop.pk).update(phase=Phase.RESULTS)

        with pytest.raises(ActionRefused) as refused:
            dots(voter, ideas[0], 1)  # the actor still believes the room is voting

        assert refused.value.code == "wrong_phase"
        assert not Vote.objects.exists()

    def test_a_participant_of_another_workshop_cannot_vote_here(
        self, voting_room: Workshop, ideas: list[Idea]
    ) -> None:
        stranger = ParticipantFactory(workshop=WorkshopFactory(phase=Phase.VOTE))
        forged = Actor(role=Role.CITIZEN, workshop=voting_room, participant=stranger)

        with pytest.raises(ActionRefused) as refused:
            dots(forged, ideas[0], 1)

        assert refused.value.code == "forbidden"
        assert not Vote.objects.exists()

    def test_a_method_changed_since_the_page_loaded_is_explained(
        self, host: Actor, voter: Actor, ideas: list[Idea]
    ) -> None:
        configure(host, method="approval")

        with pytest.raises(ActionRefused) as refused:
            dots(voter, ideas[0], 1)

        assert refused.value.code == "conflict"
        assert "Reload" in refused.value.message

    def test_every_tab_of_the_voter_hears_the_exact_budget_at_once(
        self,
        voter: Actor,
        ideas: list[Idea],
        room_bus: RecordingLayer,
        django_capture_on_commit_callbacks: Any,
        tally_windows: Any,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            dots(voter, ideas[0], 2)

        [(group, _audience, data)] = room_bus.deliveries("ballot.updated")
        assert group == f"participant.{voter.participant.pk}"
        assert data == {
            "votes": [{"target_type": "idea", "target_id": ideas[0].pk, "weight": 2, "rank": None}],
            "remaining": 3,
            "revision": 1,
        }
        assert room_bus.events("votes.tallied") == [], "the room hears only after the window"
        assert len(tally_windows.scheduled) == 1


class TestApproval:
    @pytest.fixture(autouse=True)
    def approval(self, host: Actor) -> None:
        configure(host, method="approval")

    def test_any_number_of_ideas_can_be_approved_once_each(
        self, voter: Actor, ideas: list[Idea]
    ) -> None:
        for idea in ideas:
            own = services.vote_approve(
                actor=voter, target_type="idea", target_id=idea.pk, approved=True
            )
        again = services.vote_approve(
            actor=voter, target_type="idea", target_id=ideas[0].pk, approved=True
        )

        assert own.remaining is None
        assert len(again.votes) == 4
        assert all(dots_on(idea) == 1 for idea in ideas)

    def test_an_approval_can_be_withdrawn(self, voter: Actor, ideas: list[Idea]) -> None:
        services.vote_approve(actor=voter, target_type="idea", target_id=ideas[0].pk, approved=True)

        own = services.vote_approve(
            actor=voter, target_type="idea", target_id=ideas[0].pk, approved=False
        )

        assert own.votes == []
        assert not Vote.objects.exists()

    @pytest.mark.parametrize("approved", ["yes", 1, None], ids=str)
    def test_approved_must_be_true_or_false(
        self, voter: Actor, ideas: list[Idea], approved: Any
    ) -> None:
        with pytest.raises(ActionRefused) as refused:
            services.vote_approve(
                actor=voter, target_type="idea", target_id=ideas[0].pk, approved=approved
            )

        assert refused.value.code == "invalid"
        assert not Vote.objects.exists()

    def test_dot_votes_are_refused_while_the_room_approves(
        self, voter: Actor, ideas: list[Idea]
    ) -> None:
        with pytest.raises(ActionRefused) as refused:
            dots(voter, ideas[0], 1)

        assert refused.value.code == "conflict"


class TestRanking:
    @pytest.fixture(autouse=True)
    def ranking(self, host: Actor) -> None:
        configure(host, method="ranking", rank_count=3)

    def rank(self, actor: Actor, order: Any) -> services.OwnBallot:
        return services.vote_rank(actor=actor, target_type="idea", order=order)

    def test_the_top_choice_earns_the_most_points(self, voter: Actor, ideas: list[Idea]) -> None:
        own = self.rank(voter, [ideas[2].pk, ideas[0].pk])

        assert [(v.target_id, v.rank, v.weight) for v in own.votes] == [
            (ideas[2].pk, 1, 3),
            (ideas[0].pk, 2, 2),
        ]
        assert own.remaining == 1

    def test_a_new_order_replaces_the_old_one(self, voter: Actor, ideas: list[Idea]) -> None:
        self.rank(voter, [ideas[0].pk, ideas[1].pk, ideas[2].pk])

        own = self.rank(voter, [ideas[3].pk])

        assert [(v.target_id, v.weight) for v in own.votes] == [(ideas[3].pk, 3)]
        assert Vote.objects.count() == 1

    @pytest.mark.parametrize(
        ("order", "message"),
        [
            ("1,2", "Send your ranking as a list of items."),
            ([1, "2"], "Send your ranking as a list of items."),
            ([True], "Send your ranking as a list of items."),
        ],
    )
    def test_a_malformed_order_is_refused(self, voter: Actor, order: Any, message: str) -> None:
        with pytest.raises(ActionRefused) as refused:
            self.rank(voter, order)

        assert (refused.value.code, refused.value.message) == ("invalid", message)

    def test_ranking_the_same_idea_twice_or_too_many_is_refused(
        self, voter: Actor, ideas: list[Idea]
    ) -> None:
        with pytest.raises(ActionRefused) as twice:
            self.rank(voter, [ideas[0].pk, ideas[0].pk])
        with pytest.raises(ActionRefused) as too_many:
            self.rank(voter, [idea.pk for idea in ideas])

        assert twice.value.message == "Each item can appear only once in your ranking."
        assert too_many.value.message == "Rank at most 3 items."
        assert not Vote.objects.exists()

    def test_one_hidden_idea_in_the_order_refuses_the_whole_order(
        self, voter: Actor, ideas: list[Idea]
    ) -> None:
        self.rank(voter, [ideas[0].pk])
        Idea.objects.filter(pk=ideas[1].pk).update(status=Idea.Status.HIDDEN)

        with pytest.raises(ActionRefused) as refused:
            self.rank(voter, [ideas[2].pk, ideas[1].pk])

        assert refused.value.code == "not_found"
        assert [v.idea_id for v in Vote.objects.all()] == [ideas[0].pk]


class TestClusters:
    def test_a_room_can_vote_on_clusters(self, host: Actor, voter: Actor) -> None:
        configure(host, target="cluster")
        hours = Cluster.objects.create(workshop=host.workshop, name="Opening hours")
        other = Cluster.objects.create(workshop=WorkshopFactory(), name="Elsewhere")

        own = services.vote_set(actor=voter, target_type="cluster", target_id=hours.pk, dots=2)
        with pytest.raises(ActionRefused) as refused:
            services.vote_set(actor=voter, target_type="cluster", target_id=other.pk, dots=1)

        assert [(v.target_type, v.target_id, v.weight) for v in own.votes] == [
            ("cluster", hours.pk, 2)
        ]
        assert refused.value.code == "not_found"
        assert tallies_of(ballot=ballot_of(workshop=host.workshop))[0]["label"] == "Opening hours"


class TestTallies:
    def test_items_are_ranked_by_votes_with_distinct_supporters(
        self, voter: Actor, second_voter: Actor, ideas: list[Idea]
    ) -> None:
        dots(voter, ideas[1], 3)
        dots(second_voter, ideas[0], 1)
        dots(second_voter, ideas[2], 1)
        dots(second_voter, ideas[1], 1)

        tallies = tallies_of(ballot=ballot_of(workshop=voter.workshop))

        assert [(t["target_id"], t["total"], t["supporters"], t["position"]) for t in tallies] == [
            (ideas[1].pk, 4, 2, 1),
            (ideas[0].pk, 1, 1, 2),
            (ideas[2].pk, 1, 1, 2),
        ]
        assert tallies[0]["label"] == "Free wifi"

    def test_votes_on_a_merged_idea_count_for_the_idea_it_joined(
        self, voter: Actor, second_voter: Actor, ideas: list[Idea]
    ) -> None:
        dots(voter, ideas[0], 3)
        dots(second_voter, ideas[1], 2)
        dots(second_voter, ideas[2], 3)
        # A into B, then B into C: every vote ends up on C.
        Idea.objects.filter(pk=ideas[0].pk).update(status="merged", merged_into=ideas[1])
        Idea.objects.filter(pk=ideas[1].pk).update(status="merged", merged_into=ideas[2])

        [tally] = tallies_of(ballot=ballot_of(workshop=voter.workshop))

        assert (tally["target_id"], tally["total"], tally["supporters"]) == (ideas[2].pk, 8, 2)

    def test_a_hidden_idea_leaves_the_results(self, voter: Actor, ideas: list[Idea]) -> None:
        dots(voter, ideas[0], 3)
        dots(voter, ideas[1], 1)
        Idea.objects.filter(pk=ideas[0].pk).update(status=Idea.Status.HIDDEN)

        tallies = tallies_of(ballot=ballot_of(workshop=voter.workshop))

        assert [t["target_id"] for t in tallies] == [ideas[1].pk]


class TestSnapshot:
    def test_a_citizen_sees_rules_and_own_ballot_but_not_hidden_tallies(
        self, voter: Actor, ideas: list[Idea]
    ) -> None:
        dots(voter, ideas[0], 2)

        part = snapshot_part(actor=actor_refresh(voter))["voting"]

        assert part["ballot"]["budget"] == 5
        assert part["tallies"] is None
        assert part["mine"]["remaining"] == 3
        assert part["mine"]["votes"][0]["target_id"] == ideas[0].pk

    def test_a_facilitator_sees_tallies_before_they_are_revealed(
        self, host: Actor, voter: Actor, ideas: list[Idea]
    ) -> None:
        dots(voter, ideas[0], 2)

        part = snapshot_part(actor=actor_refresh(host))["voting"]

        assert [t["total"] for t in part["tallies"]] == [2]
        assert part["mine"] is None

    @pytest.mark.parametrize("role", ["citizen", "observer"])
    def test_after_the_reveal_everyone_sees_the_tallies(
        self, host: Actor, voter: Actor, ideas: list[Idea], role: str
    ) -> None:
        dots(voter, ideas[0], 2)
        services.tallies_reveal(actor=host)

        part = snapshot_part(actor=actor_for(role, voter.workshop))["voting"]

        assert [t["total"] for t in part["tallies"]] == [2]
        assert part["ballot"]["revealed"] is True


@pytest.mark.parametrize("phase", [Phase.VOTE, Phase.RESULTS], ids=str)
def test_the_facilitator_can_move_the_room_to_voting_and_results(host: Actor, phase: Phase) -> None:
    moved = workshop_change_phase(actor=host, phase=phase)

    assert Workshop.objects.get(pk=moved.pk).phase == phase
