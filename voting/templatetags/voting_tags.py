"""The console's voting form, built from the stored rules wherever the panel is included."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import ngettext

from workshops.models import Workshop

from ..forms import BallotForm
from ..selectors import ballot_of

register = template.Library()


@register.simple_tag
def voting_rules_form(workshop: Workshop) -> BallotForm:
    return BallotForm.for_ballot(ballot_of(workshop=workshop))


@register.simple_tag
def tally_total(total: int, ballot: dict[str, Any]) -> str:
    """A tally's total with its unit, in the singular or plural the number asks for."""
    if ballot["method"] == "approval":
        text = ngettext("%(count)s approval", "%(count)s approvals", total)
    elif ballot["method"] == "ranking":
        text = ngettext("%(count)s point", "%(count)s points", total)
    else:
        text = ngettext("%(count)s dot", "%(count)s dots", total)
    return text % {"count": total}
