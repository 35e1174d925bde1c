from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from workshops.numbers import WholeNumberField

from .models import Ballot
from .services import MAX_DOTS_PER_PARTICIPANT, MAX_RANK_COUNT


class BallotForm(forms.Form):
    """The console's form for the voting rules; the service checks them again, with reasons."""

    method = forms.ChoiceField(label=_("Voting method"), choices=Ballot.Method.choices)
    target = forms.ChoiceField(label=_("People vote on"), choices=Ballot.Target.choices)
    dots_per_participant = WholeNumberField(
        label=_("Dots per person"),
        help_text=_("For dot voting."),
        min_value=1,
        max_value=MAX_DOTS_PER_PARTICIPANT,
    )
    max_dots_per_item = WholeNumberField(
        label=_("Most dots one person may put on one item"),
        help_text=_("For dot voting."),
        min_value=1,
        max_value=MAX_DOTS_PER_PARTICIPANT,
    )
    rank_count = WholeNumberField(
        label=_("How many items each person ranks"),
        help_text=_("For ranking."),
        min_value=1,
        max_value=MAX_RANK_COUNT,
    )
    show_live = forms.BooleanField(
        label=_("Show tallies to everyone while voting"),
        help_text=_("Otherwise only facilitators see them until you reveal them."),
        required=False,
    )
    clear_votes = forms.BooleanField(
        label=_("Clear all votes cast so far, if the new rules need it"),
        help_text=_("Votes cast under other rules cannot be kept."),
        required=False,
    )

    @classmethod
    def for_ballot(cls, ballot: Ballot) -> BallotForm:
        return cls(
            initial={
                "method": ballot.method,
                "target": ballot.target,
                "dots_per_participant": ballot.dots_per_participant,
                "max_dots_per_item": ballot.max_dots_per_item,
                "rank_count": ballot.rank_count,
                "show_live": ballot.show_live,
            },
            auto_id="voting-%s",
        )
