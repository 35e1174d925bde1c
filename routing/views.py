"""Routing pages: decide where a workshop's items go, an administration's inbox, the register."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from administrations.models import Administration
from administrations.selectors import administrations_active, administrations_of_member
from challenges.selectors import challenge_by_id, challenges_managed_by
from workshops.errors import ActionRefused
from workshops.http import id_from_path
from workshops.selectors import workshop_by_code, workshops_facilitated_by

from .forms import RouteForm
from .models import Kind
from .selectors import (
    Row,
    routing_may_decide_for_challenge,
    routing_may_decide_for_workshop,
    routing_may_read_administration,
    routing_register,
    routing_rows_of_challenge,
    routing_rows_of_workshop,
    routings_of_administration,
)
from .services import routing_decide
from .sources import SOURCES


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    administrations = (
        administrations_active()
        if getattr(user, "is_staff", False)
        else administrations_of_member(user=user)
    )
    return render(
        request,
        "routing/overview.html",
        {
            "workshops": workshops_facilitated_by(user=user),
            "challenges": challenges_managed_by(user=user),
            "administrations": administrations,
        },
    )


def _groups(rows: list[Row]) -> list[tuple[str, list[Row]]]:
    headings = {
        Kind.VALUE_PROPOSITION: _("Value propositions"),
        Kind.CLUSTER: _("Clusters"),
        Kind.IDEA: _("Ideas"),
        Kind.PROPOSAL: _("Proposals"),
    }
    return [
        (headings[Kind(kind)], [row for row in rows if row.item.kind == kind])
        for kind in SOURCES
        if any(row.item.kind == kind for row in rows)
    ]


@login_required
@require_GET
def workshop_routing(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_by_code(code=code)
    if workshop is None or not routing_may_decide_for_workshop(
        user=request.user, workshop=workshop
    ):
        raise Http404(_("No workshop has the code %(code)s.") % {"code": code.upper()})
    rows = routing_rows_of_workshop(workshop=workshop)
    return render(
        request,
        "routing/workshop.html",
        {
            "heading": _("Routing: %(title)s") % {"title": workshop.title},
            "back": reverse("workshops:console", kwargs={"code": workshop.join_code}),
            "back_label": _("Back to the console"),
            "empty": _("Nothing to route yet: the workshop has no ideas."),
            "groups": _groups(rows),
            "undecided": sum(1 for row in rows if row.routing is None),
            "administrations": administrations_active(),
        },
    )


@login_required
@require_GET
def challenge_routing(request: HttpRequest, challenge_id: str) -> HttpResponse:
    challenge = challenge_by_id(challenge_id=id_from_path(challenge_id))
    if challenge is None or not routing_may_decide_for_challenge(
        user=request.user, challenge=challenge
    ):
        raise Http404(_("No such challenge."))
    rows = routing_rows_of_challenge(challenge=challenge)
    return render(
        request,
        "routing/workshop.html",
        {
            "heading": _("Routing: %(title)s") % {"title": challenge.title},
            "back": reverse("challenges:challenge", kwargs={"challenge_id": challenge.pk}),
            "back_label": _("Back to the challenge"),
            "empty": _("Nothing to route yet: the challenge has no public proposals."),
            "groups": _groups(rows),
            "undecided": sum(1 for row in rows if row.routing is None),
            "administrations": administrations_active(),
        },
    )


@login_required
@require_POST
def route(request: HttpRequest) -> HttpResponse:
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("routing:overview")
    form = RouteForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    try:
        routing = routing_decide(
            user=request.user,  # type: ignore[arg-type]
            kind=form.cleaned_data["kind"],
            object_id=form.cleaned_data["object_id"],
            administration_id=form.cleaned_data["administration"],
        )
    except ActionRefused as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(
        request,
        _("Sent to %(administration)s: “%(item)s”.")
        % {
            "administration": routing.administration.name,
            "item": routing.text.splitlines()[0][:80],
        },
    )
    return redirect(back)


@login_required
@require_GET
def administration_inbox(request: HttpRequest, slug: str) -> HttpResponse:
    administration = get_object_or_404(Administration, slug=slug, active=True)
    if not routing_may_read_administration(user=request.user, administration=administration):
        raise Http404(_("No such administration."))
    return render(
        request,
        "routing/administration.html",
        {
            "administration": administration,
            "routings": routings_of_administration(administration=administration),
            "others": administrations_active().exclude(pk=administration.pk),
        },
    )


@require_GET
def register(request: HttpRequest) -> HttpResponse:
    context = routing_register()
    context["contact"] = settings.SAMSKAB_ROUTING_CONTACT
    return render(request, "routing/register.html", context)
