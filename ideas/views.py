"""Posting over plain HTTP: the path for phones whose network blocks WebSockets.

Each view answers JSON to the page's script (Accept: application/json) and
redirects or re-renders for a browser without script. A refused post re-renders
the room with the text still in the box, so nothing typed is lost.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workshops.actors import Actor, actor_resolve
from workshops.errors import ActionRefused
from workshops.http import id_from_path, refused_json, wants_json
from workshops.limits import client_address
from workshops.phases import Action
from workshops.views import room_page, workshop_or_404

from . import services
from .forms import IdeaForm
from .serializers import idea_as_dict


def compose_context(request: HttpRequest, actor: Actor, context: dict[str, Any]) -> dict[str, Any]:
    """The idea form on a citizen's phone: the one sent back, or a fresh one."""
    if "idea_form" in context:
        return {}
    # A key per rendered form (its template's `fresh_key`) makes a double submit without
    # script post the idea once.
    return {"idea_form": IdeaForm()}


@require_POST
def idea_post(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_or_404(code)
    actor = actor_resolve(
        workshop=workshop,
        user=request.user,
        session=request.session,
        address=client_address(request),
    )
    form = IdeaForm(request.POST)
    form.is_valid()
    text = form.cleaned_data.get("text", "")
    client_key = form.cleaned_data.get("client_key") or ""
    try:
        idea, created = services.idea_post(actor=actor, text=text, client_key=client_key)
    except ActionRefused as error:
        if wants_json(request):
            return refused_json(error)
        if not actor.may(Action.VIEW_ROOM):
            # Re-rendering the room would show its wall to someone who has not joined.
            messages.error(request, error.message)
            return redirect("workshops:join", code=workshop.join_code)
        form.add_error("text", error.message)
        return room_page(request, "workshops/room.html", actor, {"idea_form": form}, status=400)
    if wants_json(request):
        body = {
            "ok": True,
            "idea": idea_as_dict(idea),
            "created": created,
            "client_key": client_key,
        }
        return JsonResponse(body, status=201 if created else 200)
    if idea.status == idea.Status.HELD:
        messages.success(request, _("Your idea waits for a facilitator's review."))
    else:
        messages.success(request, _("Your idea is on the wall."))
    return redirect("workshops:room", code=workshop.join_code)


@require_POST
def idea_edit(request: HttpRequest, code: str, idea_id: str) -> HttpResponse:
    workshop = workshop_or_404(code)
    actor = actor_resolve(
        workshop=workshop,
        user=request.user,
        session=request.session,
        address=client_address(request),
    )
    try:
        idea = services.idea_edit(
            actor=actor, idea_id=id_from_path(idea_id), text=request.POST.get("text", "")
        )
    except ActionRefused as error:
        if wants_json(request):
            return refused_json(error)
        messages.error(request, error.message)
    else:
        if wants_json(request):
            return JsonResponse({"ok": True, "idea": idea_as_dict(idea)})
        messages.success(request, _("Your idea is changed."))
    return redirect("workshops:room", code=workshop.join_code)


@require_POST
def idea_withdraw(request: HttpRequest, code: str, idea_id: str) -> HttpResponse:
    workshop = workshop_or_404(code)
    actor = actor_resolve(
        workshop=workshop,
        user=request.user,
        session=request.session,
        address=client_address(request),
    )
    try:
        idea = services.idea_withdraw(actor=actor, idea_id=id_from_path(idea_id))
    except ActionRefused as error:
        if wants_json(request):
            return refused_json(error)
        messages.error(request, error.message)
    else:
        if wants_json(request):
            return JsonResponse({"ok": True, "idea": idea_as_dict(idea)})
        messages.success(request, _("Your idea is withdrawn."))
    return redirect("workshops:room", code=workshop.join_code)
