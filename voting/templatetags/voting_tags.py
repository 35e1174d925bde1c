"""The console's voting form, built from the stored rules wherever the panel is included."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from workshops.models import Workshop

from ..forms import BallotForm
from ..selectors import ballot_of

register = template.Library()


@register.simple_tag
def voting_rules_form(workshop: Workshop) -> BallotForm:
    return BallotForm.for_ballot(ballot_of(workshop=workshop))


@register.filter
def tally_unit(ballot: dict[str, Any]) -> str:
    """The word for what a tally counts: dots, approvals or points."""
    return {"dots": _("dots"), "approval": _("approvals"), "ranking": _("points")}[ballot["method"]]
