"""Grouping over plain HTTP: the facilitator console's forms and the citizen's "Move to…".

Each view answers JSON to the page's script (Accept: application/json) and redirects
back to the console or the room, with the outcome as a message, for a browser without
script. The near-duplicate hint is a GET for phones whose network blocks the socket.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from workshops.actors import Actor, actor_resolve
from workshops.errors import ActionRefused
from workshops.http import id_from_path, refused_json, wants_json
from workshops.languages import request_language
from workshops.limits import client_address
from workshops.phases import Role
from workshops.views import workshop_or_404

from . import grouping
from .selectors import clusters_of, ideas_similar_to
from .serializers import cluster_as_dict, idea_as_dict, suggestion_as_dict


def _grouping_answer(
    request: HttpRequest, code: str, write: Callable[[Actor], dict[str, Any]], done: str
) -> HttpResponse:
    """Run one grouping write for whoever is asking; JSON for script, redirect otherwise."""
    workshop = workshop_or_404(code)
    actor = actor_resolve(
        workshop=workshop,
        user=request.user,
        session=request.session,
        address=client_address(request),
    )
    back = "workshops:console" if actor.role is Role.FACILITATOR else "workshops:room"
    try:
        body = write(actor)
    except ActionRefused as error:
        if wants_json(request):
            return refused_json(error)
        messages.error(request, error.message)
        return redirect(back, code=workshop.join_code)
    if wants_json(request):
        return JsonResponse({"ok": True, **body})
    messages.success(request, done)
    return redirect(back, code=workshop.join_code)


def _optional_id(raw: str | None) -> Any:
    """A posted id: a number as int, empty as None, anything else as given (then refused)."""
    if raw is None or raw == "":
        return None
    return id_from_path(raw)


@require_POST
def grouping_permission(request: HttpRequest, code: str) -> HttpResponse:
    allowed = request.POST.get("allowed") in {"on", "true", "1"}

    def write(actor: Actor) -> dict[str, Any]:
        workshop = grouping.grouping_set_permission(actor=actor, allowed=allowed)
        return {"participants_may_group": workshop.participants_may_group}

    done = (
        _("Participants may now sort ideas.")
        if allowed
        else _("Participants now watch while facilitators sort ideas.")
    )
    return _grouping_answer(request, code, write, done)


@require_POST
def cluster_create(request: HttpRequest, code: str) -> HttpResponse:
    def write(actor: Actor) -> dict[str, Any]:
        cluster = grouping.cluster_create(actor=actor, name=request.POST.get("name", ""))
        return {"cluster": cluster_as_dict(cluster)}

    return _grouping_answer(request, code, write, _("The cluster is on the board."))


@require_POST
def cluster_rename(request: HttpRequest, code: str, cluster_id: str) -> HttpResponse:
    def write(actor: Actor) -> dict[str, Any]:
        cluster = grouping.cluster_rename(
            actor=actor, cluster_id=id_from_path(cluster_id), name=request.POST.get("name", "")
        )
        return {"cluster": cluster_as_dict(cluster)}

    return _grouping_answer(request, code, write, _("The cluster is renamed."))


@require_POST
def cluster_delete(request: HttpRequest, code: str, cluster_id: str) -> HttpResponse:
    def write(actor: Actor) -> dict[str, Any]:
        ideas = grouping.cluster_delete(actor=actor, cluster_id=id_from_path(cluster_id))
        return {"cluster_id": id_from_path(cluster_id), "idea_ids": [i.pk for i in ideas]}

    return _grouping_answer(
        request, code, write, _("The cluster is removed; its ideas are unsorted again.")
    )


@require_POST
def cluster_shift(request: HttpRequest, code: str, cluster_id: str) -> HttpResponse:
    """Move a cluster one place up or down the board."""
    step = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))

    def write(actor: Actor) -> dict[str, Any]:
        if step is None:
            raise ActionRefused("invalid", _("Move the cluster up or down."))
        order = list(clusters_of(workshop=actor.workshop).values_list("pk", flat=True))
        pk = id_from_path(cluster_id)
        if pk not in order:
            raise ActionRefused("not_found", _("That cluster does not exist."))
        index = order.index(pk)
        other = min(max(index + step, 0), len(order) - 1)
        order[index], order[other] = order[other], order[index]
        clusters = grouping.clusters_reorder(actor=actor, cluster_ids=order)
        return {"clusters": [cluster_as_dict(cluster) for cluster in clusters]}

    return _grouping_answer(request, code, write, _("The clusters are reordered."))


@require_POST
def cluster_tag(request: HttpRequest, code: str, cluster_id: str) -> HttpResponse:
    def write(actor: Actor) -> dict[str, Any]:
        cluster = grouping.cluster_tag(
            actor=actor, cluster_id=id_from_path(cluster_id), tags=request.POST.get("tags", "")
        )
        return {"cluster": cluster_as_dict(cluster)}

    return _grouping_answer(request, code, write, _("The cluster's tags are saved."))


@require_POST
def idea_move(request: HttpRequest, code: str, idea_id: str) -> HttpResponse:
    def write(actor: Actor) -> dict[str, Any]:
        idea = grouping.idea_move(
            actor=actor,
            idea_id=id_from_path(idea_id),
            cluster_id=_optional_id(request.POST.get("cluster_id")),
        )
        return {"idea": idea_as_dict(idea)}

    return _grouping_answer(request, code, write, _("The idea is moved."))


@require_POST
def idea_merge(request: HttpRequest, code: str, idea_id: str) -> HttpResponse:
    def write(actor: Actor) -> dict[str, Any]:
        target, source = grouping.idea_merge(
            actor=actor,
            idea_id=id_from_path(idea_id),
            into_id=_optional_id(request.POST.get("into_id")),
        )
        return {"idea": idea_as_dict(target), "merged": idea_as_dict(source)}

    return _grouping_answer(request, code, write, _("The ideas are merged."))


@require_POST
def idea_tag(request: HttpRequest, code: str, idea_id: str) -> HttpResponse:
    def write(actor: Actor) -> dict[str, Any]:
        idea = grouping.idea_tag(
            actor=actor, idea_id=id_from_path(idea_id), tags=request.POST.get("tags", "")
        )
        return {"idea": idea_as_dict(idea)}

    return _grouping_answer(request, code, write, _("The idea's tags are saved."))


@require_POST
def clusters_suggest(request: HttpRequest, code: str) -> HttpResponse:
    def write(actor: Actor) -> dict[str, Any]:
        suggestions = grouping.clusters_suggest(actor=actor)
        return {"suggestions": [suggestion_as_dict(s) for s in suggestions]}

    return _grouping_answer(request, code, write, _("Suggested clusters are ready below."))


@require_POST
def suggestion_accept(request: HttpRequest, code: str, suggestion_id: str) -> HttpResponse:
    def write(actor: Actor) -> dict[str, Any]:
        suggestion, cluster = grouping.suggestion_accept(
            actor=actor,
            suggestion_id=id_from_path(suggestion_id),
            name=request.POST.get("name") or None,
        )
        return {"suggestion": suggestion_as_dict(suggestion), "cluster": cluster_as_dict(cluster)}

    return _grouping_answer(request, code, write, _("The suggested cluster is on the board."))


@require_POST
def suggestion_reject(request: HttpRequest, code: str, suggestion_id: str) -> HttpResponse:
    def write(actor: Actor) -> dict[str, Any]:
        suggestion = grouping.suggestion_reject(
            actor=actor, suggestion_id=id_from_path(suggestion_id)
        )
        return {"suggestion": suggestion_as_dict(suggestion)}

    return _grouping_answer(request, code, write, _("The suggestion is set aside."))


@require_GET
def ideas_similar(request: HttpRequest, code: str) -> HttpResponse:
    """The near-duplicate hint for phones whose network blocks the WebSocket."""
    workshop = workshop_or_404(code)
    actor = actor_resolve(
        workshop=workshop,
        user=request.user,
        session=request.session,
        address=client_address(request),
    )
    with translation.override(request_language(request, workshop_language=workshop.language)):
        try:
            found = ideas_similar_to(actor=actor, text=request.GET.get("text", ""))
        except ActionRefused as error:
            return refused_json(error)
    ideas = [{"idea": idea_as_dict(idea), "score": round(score, 3)} for idea, score in found]
    return JsonResponse({"ok": True, "ideas": ideas})
