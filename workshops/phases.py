"""The phases a workshop moves through, and what each role may do in each.

This table is the single place that says who may do what when; services ask it
before every write, and the permission test crosses every phase with every role.
"""

from __future__ import annotations

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    LOBBY = "lobby", _("Lobby")
    IDEATE = "ideate", _("Ideate")
    GROUP = "group", _("Group")
    VOTE = "vote", _("Vote")
    RESULTS = "results", _("Results")
    PROPOSE = "propose", _("Value propositions")
    CLOSED = "closed", _("Closed")


# The phases a facilitator can move the room into today, in running order.
# Value propositions join this list as they are built.
RUNNABLE_PHASES: tuple[Phase, ...] = (
    Phase.LOBBY,
    Phase.IDEATE,
    Phase.GROUP,
    Phase.VOTE,
    Phase.RESULTS,
    Phase.PROPOSE,
    Phase.CLOSED,
)


class Role(enum.StrEnum):
    FACILITATOR = "facilitator"
    CITIZEN = "citizen"
    OBSERVER = "observer"
    OUTSIDER = "outsider"


class Action(enum.StrEnum):
    VIEW_ROOM = "view_room"
    JOIN = "join"
    RENAME_SELF = "rename_self"
    POST_IDEA = "post_idea"
    EDIT_OWN_IDEA = "edit_own_idea"
    WITHDRAW_OWN_IDEA = "withdraw_own_idea"
    CHANGE_PHASE = "change_phase"
    SET_TIMER = "set_timer"
    INVITE_FACILITATOR = "invite_facilitator"
    EDIT_WORKSHOP = "edit_workshop"
    # Grouping (ideas/grouping.py). A citizen groups only while the facilitator allows it.
    GROUP_IDEAS = "group_ideas"
    MANAGE_CLUSTERS = "manage_clusters"
    MERGE_IDEAS = "merge_ideas"
    SUGGEST_CLUSTERS = "suggest_clusters"
    TAG = "tag"
    SET_GROUPING_PERMISSION = "set_grouping_permission"
    FIND_SIMILAR_IDEAS = "find_similar_ideas"
    CAST_VOTE = "cast_vote"
    CONFIGURE_VOTING = "configure_voting"
    REVEAL_TALLIES = "reveal_tallies"
    # Value propositions and the summary (summaries/services.py).
    EDIT_VALUE_PROPOSITIONS = "edit_value_propositions"
    SUGGEST_VALUE_PROPOSITION = "suggest_value_proposition"
    ALLOW_PROPOSITION_SUGGESTIONS = "allow_proposition_suggestions"
    SHARE_SUMMARY = "share_summary"
    CONSENT_NAME_IN_SUMMARY = "consent_name_in_summary"
    # Moderation (moderation/services.py): hide, approve, edit, delete, mute, remove, settings.
    MODERATE = "moderate"
    FLAG_IDEA = "flag_idea"
    ERASE_OWN_DATA = "erase_own_data"


_ALL_PHASES = frozenset(Phase)
_OPEN_PHASES = _ALL_PHASES - {Phase.CLOSED}
# Facilitators may sort ideas as they arrive, and until voting starts: after that a
# moved or merged idea would change what people are voting on.
_SORTING_PHASES = frozenset({Phase.IDEATE, Phase.GROUP})

_FACILITATOR = {
    Action.VIEW_ROOM: _ALL_PHASES,
    # Closed is final: the summary calls itself final once the room has closed, so a
    # closed room is never opened again (docs/protocol.md).
    Action.CHANGE_PHASE: _OPEN_PHASES,
    Action.SET_TIMER: _OPEN_PHASES,
    Action.INVITE_FACILITATOR: _ALL_PHASES,
    Action.EDIT_WORKSHOP: _ALL_PHASES,
    Action.GROUP_IDEAS: _SORTING_PHASES,
    Action.MANAGE_CLUSTERS: _SORTING_PHASES,
    Action.MERGE_IDEAS: _SORTING_PHASES,
    Action.SUGGEST_CLUSTERS: _SORTING_PHASES,
    # Tags are labels for the record, useful until the workshop closes.
    Action.TAG: _OPEN_PHASES,
    Action.SET_GROUPING_PERMISSION: _OPEN_PHASES,
    Action.FIND_SIMILAR_IDEAS: _SORTING_PHASES,
    # Rules are set before the vote; changing them once votes exist asks to clear them.
    Action.CONFIGURE_VOTING: frozenset({Phase.LOBBY, Phase.IDEATE, Phase.GROUP, Phase.VOTE}),
    Action.REVEAL_TALLIES: frozenset({Phase.VOTE, Phase.RESULTS, Phase.PROPOSE, Phase.CLOSED}),
    Action.EDIT_VALUE_PROPOSITIONS: frozenset({Phase.PROPOSE}),
    Action.ALLOW_PROPOSITION_SUGGESTIONS: _OPEN_PHASES,
    # A summary can be taken at any moment, also mid-workshop, and says so.
    Action.SHARE_SUMMARY: _ALL_PHASES,
    # What was said stays the facilitators' responsibility until the end, and after.
    Action.MODERATE: _ALL_PHASES,
}
_CITIZEN = {
    Action.VIEW_ROOM: _ALL_PHASES,
    Action.RENAME_SELF: frozenset({Phase.LOBBY, Phase.IDEATE}),
    Action.POST_IDEA: frozenset({Phase.IDEATE}),
    Action.EDIT_OWN_IDEA: frozenset({Phase.IDEATE}),
    Action.WITHDRAW_OWN_IDEA: frozenset({Phase.IDEATE}),
    # Only while the facilitator allows it: ideas/grouping.py checks that flag.
    Action.GROUP_IDEAS: frozenset({Phase.GROUP}),
    Action.FIND_SIMILAR_IDEAS: frozenset({Phase.IDEATE}),
    Action.CAST_VOTE: frozenset({Phase.VOTE}),
    # Only while the facilitator allows it: summaries/services.py checks that flag.
    Action.SUGGEST_VALUE_PROPOSITION: frozenset({Phase.PROPOSE}),
    # Whether their name may appear in the summary is theirs to say until it is final.
    Action.CONSENT_NAME_IN_SUMMARY: _OPEN_PHASES,
    Action.FLAG_IDEA: _OPEN_PHASES,
    # Their own data is theirs to take and erase at any time.
    Action.ERASE_OWN_DATA: _ALL_PHASES,
}
# A decision-maker following the room may still step in and join it as a citizen.
_OBSERVER = {Action.VIEW_ROOM: _ALL_PHASES, Action.JOIN: _OPEN_PHASES}
# Anyone holding the code may join while the room is open; a closed room takes nobody new.
_OUTSIDER = {Action.JOIN: _OPEN_PHASES}

_RULES: dict[Role, dict[Action, frozenset[Phase]]] = {
    Role.FACILITATOR: _FACILITATOR,
    Role.CITIZEN: _CITIZEN,
    Role.OBSERVER: _OBSERVER,
    Role.OUTSIDER: _OUTSIDER,
}


def role_may(*, role: Role, action: Action, phase: str) -> bool:
    """Whether someone in this role may take this action while the room is in this phase."""
    return Phase(phase) in _RULES[role].get(action, frozenset())
