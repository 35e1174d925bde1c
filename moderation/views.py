"""Moderation pages and forms: the console's buttons without script, the log, your data.

Each view answers JSON to a script (Accept: application/json) and redirects with a
message for a browser without script, like the ideas views.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from ideas.serializers import idea_as_dict
from workshops.actors import PARTICIPANTS_SESSION_KEY, Actor, actor_resolve
from workshops.downloads import attachment
from workshops.errors import ActionRefused
from workshops.http import answers_json, id_from_path, refused_json, signed_in, wants_json
from workshops.languages import request_language
from workshops.limits import client_address
from workshops.phases import Action
from workshops.serializers import participant_as_dict
from workshops.spreadsheet import csv_text
from workshops.views import facilitator_actor, workshop_or_404

from . import services
from .forms import FlagForm, ModerationSettingsForm, ReasonForm
from .models import ParticipantRestriction
from .selectors import moderation_log, participant_data, participant_of_session, review_of
from .serializers import log_entry_as_dict, settings_as_dict


def _answer(
    request: HttpRequest, back: str, code: str, act: Callable[[], dict[str, Any]], done: str
) -> HttpResponse:
    """Run the service; answer JSON or redirect back with a message."""
    try:
        data = act()
    except ActionRefused as error:
        if wants_json(request):
            return refused_json(error)
        messages.error(request, error.message)
    else:
        if wants_json(request):
            return JsonResponse({"ok": True, **data})
        messages.success(request, done)
    return redirect(back, code=code)


# ---- facilitators ------------------------------------------------------------------------


@answers_json
@signed_in
@require_POST
def settings_update(request: HttpRequest, code: str) -> HttpResponse:
    actor = facilitator_actor(request, code)
    form = ModerationSettingsForm(request.POST)

    def act() -> dict[str, Any]:
        if not form.is_valid():
            if "mode" in form.errors:
                raise ActionRefused("invalid", _("Choose post- or pre-moderation."))
            # Otherwise a field left empty: say which.
            name, errors = next(iter(form.errors.items()))
            raise ActionRefused("invalid", f"{form.fields[name].label}: {errors[0]}")
        moderation = services.moderation_configure(actor=actor, **form.cleaned_data)
        return {"settings": settings_as_dict(moderation)}

    return _answer(
        request, "workshops:console", actor.workshop.join_code, act, _("Moderation settings saved.")
    )


_IDEA_ACTIONS: dict[str, Callable[..., Any]] = {
    "approve": services.idea_approve,
    "hide": services.idea_hide,
    "restore": services.idea_restore,
}


@answers_json
@signed_in
@require_POST
def idea_moderate(request: HttpRequest, code: str, idea_id: str, action: str) -> HttpResponse:
    actor = facilitator_actor(request, code)
    form = ReasonForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    number = id_from_path(idea_id)

    def act() -> dict[str, Any]:
        if action == "delete":
            return {"idea_id": services.idea_delete(actor=actor, idea_id=number, reason=reason)}
        if action == "edit":
            idea = services.idea_moderate_text(
                actor=actor, idea_id=number, text=form.cleaned_data.get("text", ""), reason=reason
            )
            return {"idea": idea_as_dict(idea), "review": review_of(idea)}
        service = _IDEA_ACTIONS.get(action)
        if service is None:
            raise ActionRefused("not_found", _("Unknown moderation action."))
        idea = service(actor=actor, idea_id=number, reason=reason)
        # The same data as the command's ack (docs/protocol.md).
        return {"idea": idea_as_dict(idea), "review": review_of(idea)}

    done = {
        "approve": _("The idea is on the wall."),
        "hide": _("The idea is hidden."),
        "restore": _("The idea is back on the wall."),
        "edit": _("The idea is changed; the author's words are kept in the log."),
        "delete": _("The idea is deleted."),
    }.get(action, "")
    return _answer(request, "workshops:console", actor.workshop.join_code, act, done)


_PARTICIPANT_ACTIONS: dict[str, Callable[..., Any]] = {
    "mute": services.participant_mute,
    "unmute": services.participant_unmute,
    "remove": services.participant_remove,
}


@answers_json
@signed_in
@require_POST
def participant_moderate(
    request: HttpRequest, code: str, participant_id: str, action: str
) -> HttpResponse:
    actor = facilitator_actor(request, code)
    form = ReasonForm(request.POST)
    form.is_valid()

    def act() -> dict[str, Any]:
        service = _PARTICIPANT_ACTIONS.get(action)
        if service is None:
            raise ActionRefused("not_found", _("Unknown moderation action."))
        participant = service(
            actor=actor,
            participant_id=id_from_path(participant_id),
            reason=form.cleaned_data.get("reason", ""),
        )
        return {"participant": participant_as_dict(participant)}

    done = {
        "mute": _("The participant is muted."),
        "unmute": _("The participant may write again."),
        "remove": _("The participant is removed from the workshop."),
    }.get(action, "")
    return _answer(request, "workshops:console", actor.workshop.join_code, act, done)


@login_required
@require_GET
def log_page(request: HttpRequest, code: str) -> HttpResponse:
    actor = facilitator_actor(request, code)
    # The page shows each time in the reader's language and time zone; the CSV and JSON
    # keep the ISO form (`at`) that programs read.
    entries = [
        {**log_entry_as_dict(entry), "when": entry.created_at}
        for entry in moderation_log(workshop=actor.workshop)
    ]
    return render(request, "moderation/log.html", {"workshop": actor.workshop, "entries": entries})


@login_required
@require_GET
def log_csv(request: HttpRequest, code: str) -> HttpResponse:
    actor = facilitator_actor(request, code)
    # In the reader's language; in English the documented names (docs/protocol.md).
    header = [
        pgettext("CSV heading", "time"),
        pgettext("CSV heading", "action"),
        pgettext("CSV heading", "by"),
        pgettext("CSV heading", "idea"),
        pgettext("CSV heading", "participant"),
        pgettext("CSV heading", "reason"),
        pgettext("CSV heading", "detail"),
    ]
    rows = (
        [
            entry.created_at.isoformat(),
            entry.kind,
            entry.facilitator_email,
            entry.idea_number,
            entry.participant_number,
            entry.reason,
            json.dumps(entry.detail, ensure_ascii=False, sort_keys=True) if entry.detail else "",
        ]
        for entry in moderation_log(workshop=actor.workshop)
    )
    response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    filename = f"samskab-{actor.workshop.join_code}-moderation-log.csv"
    response["Content-Disposition"] = attachment(filename)
    return response


# ---- participants --------------------------------------------------------------------------


def _participant_actor(request: HttpRequest, code: str) -> Actor:
    workshop = workshop_or_404(code)
    return actor_resolve(
        workshop=workshop,
        user=request.user,
        session=request.session,
        address=client_address(request),
    )


@require_POST
def idea_flag(request: HttpRequest, code: str, idea_id: str) -> HttpResponse:
    actor = _participant_actor(request, code)
    form = FlagForm(request.POST)

    def act() -> dict[str, Any]:
        reason = form.cleaned_data["reason"] if form.is_valid() else request.POST.get("reason")
        idea = services.idea_flag(actor=actor, idea_id=id_from_path(idea_id), reason=reason)
        return {"idea_id": idea.pk, "flagged": True}

    with translation.override(request_language(request, workshop_language=actor.workshop.language)):
        return _answer(
            request,
            "workshops:room",
            actor.workshop.join_code,
            act,
            _("Thank you. A facilitator will look at it."),
        )


@require_GET
def your_data(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_or_404(code)
    # Not through the room's actor: a removed participant has none, yet their data is theirs.
    participant = participant_of_session(workshop=workshop, session=request.session)
    if participant is None:
        return redirect("workshops:join", code=workshop.join_code)
    data = {
        "exported_at": timezone.now().isoformat(),
        **participant_data(participant=participant),
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    filename = f"samskab-{workshop.join_code}-your-data.json"
    response["Content-Disposition"] = attachment(filename)
    return response


@require_POST
def erase_your_data(request: HttpRequest, code: str) -> HttpResponse:
    actor = _participant_actor(request, code)
    with translation.override(request_language(request, workshop_language=actor.workshop.language)):
        removed = actor.restriction == ParticipantRestriction.Kind.REMOVED
        try:
            if removed:
                # Removed, so no role in the room; but what is kept about them is theirs.
                participant = participant_of_session(
                    workshop=actor.workshop, session=request.session
                )
                if participant is None:
                    raise ActionRefused("forbidden", _("You are not in this workshop."))
                services.participant_erase_removed(participant=participant)
            elif not actor.may(Action.ERASE_OWN_DATA):
                raise ActionRefused("forbidden", _("You are not in this workshop."))
            else:
                services.participant_erase_self(actor=actor)
        except ActionRefused as error:
            if wants_json(request):
                return refused_json(error)
            messages.error(request, error.message)
            return redirect("workshops:join", code=actor.workshop.join_code)
        if not removed:
            # A removed phone keeps its link: it is what keeps the phone out of the room.
            joined = dict(request.session.get(PARTICIPANTS_SESSION_KEY) or {})
            joined.pop(str(actor.workshop.pk), None)
            request.session[PARTICIPANTS_SESSION_KEY] = joined
        if wants_json(request):
            return JsonResponse({"ok": True})
        messages.success(request, _("Your data is erased and you have left the workshop."))
    return redirect("workshops:home")
