"""Voting over plain HTTP: the console's forms, and votes from phones without a socket.

A vote answers JSON to the page's script (Accept: application/json) and redirects
back to the room for a browser without script.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from workshops.actors import actor_resolve
from workshops.errors import ActionRefused
from workshops.http import answers_json, done_json, refused_json, signed_in, wants_json
from workshops.limits import client_address
from workshops.numbers import number_or_as_sent
from workshops.views import facilitator_actor, workshop_or_404

from . import services
from .forms import BallotForm
from .serializers import ballot_as_dict


def _cast(request: HttpRequest, actor: Any) -> services.OwnBallot:
    data = request.POST
    target_type = data.get("target_type")
    if "order" in data:
        raw = [item for item in data.get("order", "").split(",") if item.strip()]
        order = [number_or_as_sent(item) for item in raw]
        return services.vote_rank(actor=actor, target_type=target_type, order=order)
    target_id = number_or_as_sent(data.get("target_id"))
    if "approved" in data:
        approved = {"true": True, "false": False}.get(
            data.get("approved", ""), data.get("approved")
        )
        return services.vote_approve(
            actor=actor, target_type=target_type, target_id=target_id, approved=approved
        )
    return services.vote_set(
        actor=actor,
        target_type=target_type,
        target_id=target_id,
        dots=number_or_as_sent(data.get("dots")),
    )


@require_POST
def vote(request: HttpRequest, code: str) -> HttpResponse:
    """Cast a vote: `dots`, `approved` (true/false) or `order` (ids, comma-separated)."""
    workshop = workshop_or_404(code)
    actor = actor_resolve(
        workshop=workshop,
        user=request.user,
        session=request.session,
        address=client_address(request),
    )
    try:
        own = _cast(request, actor)
    except ActionRefused as error:
        if wants_json(request):
            return refused_json(error)
        messages.error(request, error.message)
    else:
        if wants_json(request):
            return JsonResponse({"ok": True, **own.as_dict()})
        messages.success(request, _("Your vote is saved."))
    return redirect("workshops:room", code=workshop.join_code)


@answers_json
@signed_in
@require_POST
def rules(request: HttpRequest, code: str) -> HttpResponse:
    actor = facilitator_actor(request, code)
    form = BallotForm(request.POST)
    try:
        if not form.is_valid():
            # Each problem names its field: the message is shown on its own.
            problems = " ".join(
                f"{form.fields[name].label}: {error}" if name in form.fields else str(error)
                for name, errors in form.errors.items()
                for error in errors
            )
            raise ActionRefused("invalid", problems)
        fields = form.cleaned_data
        ballot, cleared = services.ballot_configure(
            actor=actor,
            method=fields["method"],
            target=fields["target"],
            dots_per_participant=fields["dots_per_participant"],
            max_dots_per_item=fields["max_dots_per_item"],
            rank_count=fields["rank_count"],
            show_live=fields["show_live"],
            clear_votes=fields["clear_votes"],
        )
    except ActionRefused as error:
        if wants_json(request):
            return refused_json(error)
        messages.error(request, error.message)
    else:
        if wants_json(request):
            return done_json({"ballot": ballot_as_dict(ballot), "cleared_votes": cleared})
        if cleared:
            messages.warning(
                request,
                ngettext(
                    "The voting rules are saved. %(count)d vote was cleared.",
                    "The voting rules are saved. %(count)d votes were cleared.",
                    cleared,
                )
                % {"count": cleared},
            )
        else:
            messages.success(request, _("The voting rules are saved."))
    return redirect("workshops:console", code=actor.workshop.join_code)


@answers_json
@signed_in
@require_POST
def reveal(request: HttpRequest, code: str) -> HttpResponse:
    actor = facilitator_actor(request, code)
    try:
        ballot = services.tallies_reveal(actor=actor)
    except ActionRefused as error:
        if wants_json(request):
            return refused_json(error)
        messages.error(request, error.message)
    else:
        if wants_json(request):
            return done_json({"ballot": ballot_as_dict(ballot)})
        messages.success(request, _("The tallies are now shown to the whole room."))
    return redirect("workshops:console", code=actor.workshop.join_code)
