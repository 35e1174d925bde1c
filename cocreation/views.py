"""Requests for co-creation: a department asks, the team triages, the work starts from it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from administrations.selectors import administrations_of_member
from workshops.errors import ActionRefused

from . import services
from .forms import NewRequestForm, RequestForm, TriageForm
from .models import CoCreationRequest
from .selectors import (
    is_cocreation_team,
    request_may_ask,
    request_outcomes,
    requests_visible_to,
)


def _visible_or_404(request: HttpRequest, request_id: int) -> CoCreationRequest:
    found = requests_visible_to(user=request.user).filter(pk=request_id).first()
    if found is None:
        raise Http404(_("No such request."))
    return found


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "cocreation/list.html",
        {
            "requests": requests_visible_to(user=request.user),
            "may_ask": administrations_of_member(user=request.user).exists(),
            "team": is_cocreation_team(user=request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    administrations = administrations_of_member(user=request.user)
    if not administrations.exists():
        raise Http404(_("Only members of an administration ask for co-creation."))
    form = NewRequestForm(request.POST or None, administrations=administrations)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        administration = data.pop("administration")
        try:
            created = services.request_submit(
                user=request.user,  # type: ignore[arg-type]
                administration=administration,
                fields=data,
            )
        except ActionRefused as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your request has gone to the co-creation team."))
            return redirect("cocreation:request", request_id=created.pk)
    return render(request, "cocreation/form.html", {"form": form, "editing": None})


@login_required
@require_http_methods(["GET", "POST"])
def request_edit(request: HttpRequest, request_id: int) -> HttpResponse:
    found = _visible_or_404(request, request_id)
    form = RequestForm(request.POST or None, instance=found)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields}
        found.refresh_from_db()
        try:
            services.request_update(user=request.user, request=found, fields=fields)  # type: ignore[arg-type]
        except ActionRefused as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your request has gone back to the co-creation team."))
        return redirect("cocreation:request", request_id=found.pk)
    return render(request, "cocreation/form.html", {"form": form, "editing": found})


@login_required
@require_GET
def request_page(request: HttpRequest, request_id: int) -> HttpResponse:
    found = _visible_or_404(request, request_id)
    team = is_cocreation_team(user=request.user)
    return render(
        request,
        "cocreation/request.html",
        {
            "request_": found,
            "team": team,
            "may_edit": found.status == CoCreationRequest.Status.NEEDS_MORE
            and request_may_ask(user=request.user, administration=found.administration),
            "triage_form": TriageForm() if team else None,
            **request_outcomes(request=found),
        },
    )


@login_required
@require_POST
def triage(request: HttpRequest, request_id: int) -> HttpResponse:
    found = _visible_or_404(request, request_id)
    form = TriageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose accept, ask for more or decline."))
        return redirect("cocreation:request", request_id=found.pk)
    try:
        services.request_triage(
            user=request.user,  # type: ignore[arg-type]
            request=found,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        )
    except ActionRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The department can see your decision."))
    return redirect("cocreation:request", request_id=found.pk)


@login_required
@require_POST
def workshop_start(request: HttpRequest, request_id: int) -> HttpResponse:
    found = _visible_or_404(request, request_id)
    try:
        workshop = services.request_workshop_create(user=request.user, request=found)  # type: ignore[arg-type]
    except ActionRefused as error:
        messages.error(request, error.message)
        return redirect("cocreation:request", request_id=found.pk)
    messages.success(request, _("A workshop was made from the request. Check its text here."))
    return redirect("workshops:edit", code=workshop.join_code)


@login_required
@require_POST
def challenge_start(request: HttpRequest, request_id: int) -> HttpResponse:
    found = _visible_or_404(request, request_id)
    try:
        challenge = services.request_challenge_create(user=request.user, request=found)  # type: ignore[arg-type]
    except ActionRefused as error:
        messages.error(request, error.message)
        return redirect("cocreation:request", request_id=found.pk)
    messages.success(request, _("An open challenge was made from the request."))
    return redirect("challenges:challenge", challenge_id=challenge.pk)
