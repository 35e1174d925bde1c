"""Pages of the challenges. Thin: each reads through selectors and writes through services.

Every POST answers a page's script (`Accept: application/json`) with JSON, following
workshops/http.py, and a browser without script with a redirect and a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from workshops import links
from workshops.errors import ActionRefused
from workshops.http import id_from_path, refused_json, signed_in, wants_json
from workshops.languages import language_use, request_language
from workshops.limits import client_address
from workshops.selectors import workshop_by_code

from . import eid, selectors, services
from .forms import ChallengeForm, FlagForm, FromWorkshopForm, ProposalForm, ReasonForm
from .models import Challenge, Citizen, Proposal
from .serializers import challenge_as_dict, proposal_as_dict, support_change_as_dict

MAX_SEARCH_LENGTH = 200


def _challenge_or_404(challenge_id: str) -> Challenge:
    challenge = selectors.challenge_by_id(challenge_id=id_from_path(challenge_id))
    if challenge is None:
        raise Http404(_("No such challenge."))
    return challenge


def _proposal_or_404(
    request: HttpRequest, proposal_id: str, *, to_support: bool = False
) -> Proposal:
    """The proposal, if this visitor may see it: public, its author's, or a facilitator's.

    `to_support`: read as a support needs it (selectors.proposal_to_support), and the
    page speaks its challenge's language from here on (the language middleware leaves
    the support to its view, which reads the language with the proposal).
    """
    proposal_id_read = id_from_path(proposal_id)
    proposal = (
        selectors.proposal_to_support(proposal_id=proposal_id_read)
        if to_support
        else selectors.proposal_by_id(proposal_id=proposal_id_read)
    )
    if proposal is None:
        raise Http404(_("No such proposal."))
    if to_support:
        language_use(
            request, request_language(request, workshop_language=proposal.challenge.language)
        )
    if proposal.is_public:
        return proposal
    citizen = selectors.citizen_from_session(session=request.session)
    if citizen is not None and proposal.author_id == citizen.pk:
        return proposal
    if selectors.challenge_may_manage(challenge=proposal.challenge, user=request.user):
        return proposal
    raise Http404(_("No such proposal."))


def _refused(request: HttpRequest, refused: ActionRefused, back: str) -> HttpResponse:
    if wants_json(request):
        return refused_json(refused)
    messages.error(request, refused.message)
    return redirect(back)


def _done(request: HttpRequest, message: str, back: str, data: dict[str, Any]) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"ok": True, "message": message, **data})
    messages.success(request, message)
    return redirect(back)


# ---- public pages -----------------------------------------------------------------------


@require_GET
def challenge_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "challenges/list.html",
        {
            "open": selectors.challenges_open(),
            "upcoming": selectors.challenges_upcoming(),
            "closed": selectors.challenges_closed(),
            "managed": selectors.challenges_managed_by(user=request.user),
        },
    )


@require_GET
def challenge_page(request: HttpRequest, challenge_id: str) -> HttpResponse:
    challenge = _challenge_or_404(challenge_id)
    sort = request.GET.get("sort", "support")
    if sort not in selectors.SORTS:
        sort = "support"
    search = request.GET.get("q", "")[:MAX_SEARCH_LENGTH].strip()
    proposals = selectors.proposals_public(challenge=challenge, sort=sort, search=search)
    return render(
        request,
        "challenges/challenge.html",
        {
            "challenge": challenge,
            "proposals": proposals,
            "sort": sort,
            "search": search,
            "may_manage": selectors.challenge_may_manage(challenge=challenge, user=request.user),
            "live": {
                "challenge": challenge.pk,
                "proposals": [support_change_as_dict(p) for p in proposals],
            },
        },
    )


@require_GET
def proposal_page(request: HttpRequest, proposal_id: str) -> HttpResponse:
    proposal = _proposal_or_404(request, proposal_id)
    citizen = selectors.citizen_from_session(session=request.session)
    is_author = citizen is not None and proposal.author_id == citizen.pk
    share_url = links.absolute_url(request, proposal.get_absolute_url())
    cosponsor_url = links.absolute_url(
        request, reverse("challenges:cosponsor", kwargs={"token": proposal.cosponsor_token})
    )
    return render(
        request,
        "challenges/proposal.html",
        {
            "proposal": proposal,
            "challenge": proposal.challenge,
            "progress": selectors.proposal_progress(proposal=proposal),
            "support": selectors.support_of(proposal=proposal, citizen=citizen),
            "is_author": is_author,
            "supportable": proposal.status in Proposal.SUPPORTABLE and proposal.challenge.is_open(),
            "cosponsors": selectors.cosponsor_count(proposal=proposal),
            "cosponsor_url": cosponsor_url if is_author else "",
            "share_url": share_url,
            "verified_person": eid.person_from_session(request.session),
            "eid_enabled": eid.eid_enabled(),
            "may_manage": selectors.challenge_may_manage(
                challenge=proposal.challenge, user=request.user
            ),
            "flag_form": FlagForm(),
            "live": {
                "challenge": proposal.challenge_id,
                "proposals": [support_change_as_dict(proposal)],
                "author": is_author,
            },
        },
    )


@require_GET
def proposal_photo(request: HttpRequest, proposal_id: str) -> HttpResponse:
    proposal = _proposal_or_404(request, proposal_id)
    if not proposal.photo_type or proposal.photo is None:
        raise Http404(_("This proposal has no photo."))
    response = HttpResponse(bytes(proposal.photo), content_type=proposal.photo_type)
    response["Cache-Control"] = "public, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@require_GET
def proposal_qr(request: HttpRequest, proposal_id: str) -> HttpResponse:
    proposal = _proposal_or_404(request, proposal_id)
    url = links.absolute_url(request, proposal.get_absolute_url())
    svg = links.qr_svg(url, title=_("Support %(title)s") % {"title": proposal.title})
    return HttpResponse(svg, content_type="image/svg+xml")


@require_GET
def similar(request: HttpRequest, challenge_id: str) -> JsonResponse:
    """Proposals like the one being written, for "support this one instead"."""
    challenge = _challenge_or_404(challenge_id)
    text = request.GET.get("text", "")[: services.TEXT_MAX_LENGTH]
    found = selectors.proposals_similar(challenge=challenge, text=text)
    return JsonResponse(
        {
            "proposals": [
                {
                    "id": p.pk,
                    "title": p.title,
                    "support_count": p.support_count,
                    "url": p.get_absolute_url(),
                }
                for p in found
            ]
        }
    )


# ---- citizens write -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest, challenge_id: str) -> HttpResponse:
    challenge = _challenge_or_404(challenge_id)
    form = ProposalForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # a refusal leaves no new citizen behind either
                citizen = services.citizen_for_session(request.session)
                proposal = services.proposal_submit(
                    challenge=challenge,
                    citizen=citizen,
                    title=form.cleaned_data["title"],
                    text=form.cleaned_data["text"],
                    author_name=form.cleaned_data["author_name"],
                    photo=form.cleaned_data["photo"],
                    address=client_address(request),
                )
        except ActionRefused as refused:
            if wants_json(request):
                return refused_json(refused)
            form.add_error(None, refused.message)
        else:
            if proposal.status == Proposal.Status.AWAITING_COSPONSORS:
                message = _(
                    "Saved. Share the co-sponsor link: it is published once enough people confirm."
                )
            elif proposal.status == Proposal.Status.HELD:
                message = _("Thank you. Your proposal is published once a facilitator has read it.")
            else:
                message = _("Thank you. Your proposal is published.")
            return _done(
                request,
                message,
                proposal.get_absolute_url(),
                {"proposal": proposal_as_dict(proposal)},
            )
    elif request.method == "POST" and wants_json(request):
        # The script shows the message alone, so it names the field it is about.
        name, errors = next(iter(form.errors.items()))
        field = form.fields.get(name)
        first = f"{field.label}: {errors[0]}" if field is not None else errors[0]
        return JsonResponse({"ok": False, "code": "invalid", "message": first}, status=400)
    return render(
        request,
        "challenges/propose.html",
        {"challenge": challenge, "form": form, "is_open": challenge.is_open()},
        status=400 if form.errors else 200,
    )


@require_POST
def support(request: HttpRequest, proposal_id: str) -> HttpResponse:
    """Give support, or with `withdraw=1` take it back.

    A support storm sends thousands of these a minute (bench/support_storm.py), so the
    proposal is read once, with its challenge and language, and a new phone's citizen
    is written by the support's own statement (services.support_give).
    """
    proposal = _proposal_or_404(request, proposal_id, to_support=True)
    back = proposal.get_absolute_url()
    # Not one transaction: the count is a statement of its own (services._counted), so
    # supports to one proposal do not wait on each other's whole requests.
    known = selectors.citizen_from_session(session=request.session)
    if known is None and request.POST.get("withdraw") == "1":
        refused = ActionRefused("not_supported", _("You do not support this proposal."))
        return _refused(request, refused, back)
    # A phone new to the challenges: its citizen is stored with its support, or not at all.
    citizen = known or Citizen()
    try:
        proposal, message = _support_or_withdraw(request, proposal, citizen)
    except ActionRefused as refused:
        return _refused(request, refused, back)
    if known is None:
        services.citizen_remember(citizen=citizen, session=request.session)
    return _done(request, message, back, {"proposal": support_change_as_dict(proposal)})


def _support_or_withdraw(
    request: HttpRequest, proposal: Proposal, citizen: Citizen
) -> tuple[Proposal, str]:
    if request.POST.get("withdraw") == "1":
        proposal = services.support_withdraw(proposal_id=proposal.pk, citizen=citizen)
        return proposal, _("Your support is withdrawn.")
    person = eid.person_for_challenge(request.session, proposal.challenge)
    proposal = services.support_give(
        proposal=proposal,
        citizen=citizen,
        person_hash=person,
        address=client_address(request),
    )
    return proposal, _("Thank you for your support.")


@require_POST
def withdraw(request: HttpRequest, proposal_id: str) -> HttpResponse:
    proposal = _proposal_or_404(request, proposal_id)
    try:
        with transaction.atomic():
            citizen = services.citizen_for_session(request.session)
            services.proposal_withdraw(proposal_id=proposal.pk, citizen=citizen)
    except ActionRefused as refused:
        return _refused(request, refused, proposal.get_absolute_url())
    return _done(
        request, _("Your proposal is withdrawn."), proposal.challenge.get_absolute_url(), {}
    )


@require_POST
def flag(request: HttpRequest, proposal_id: str) -> HttpResponse:
    proposal = _proposal_or_404(request, proposal_id)
    try:
        with transaction.atomic():
            citizen = services.citizen_for_session(request.session)
            services.proposal_flag(
                proposal_id=proposal.pk, citizen=citizen, reason=request.POST.get("reason")
            )
    except ActionRefused as refused:
        return _refused(request, refused, proposal.get_absolute_url())
    return _done(
        request, _("Thank you. A facilitator will look at it."), proposal.get_absolute_url(), {}
    )


@require_http_methods(["GET", "POST"])
def cosponsor(request: HttpRequest, token: str) -> HttpResponse:
    proposal = (
        Proposal.objects.select_related("challenge").filter(cosponsor_token=token[:64]).first()
    )
    if proposal is None:
        raise Http404(_("This co-sponsor link is not valid."))
    if request.method == "POST":
        try:
            with transaction.atomic():
                citizen = services.citizen_for_session(request.session)
                services.proposal_cosponsor(token=token, citizen=citizen)
        except ActionRefused as refused:
            return _refused(request, refused, request.path)
        return _done(request, _("Thank you for co-sponsoring this proposal."), request.path, {})
    return render(
        request,
        "challenges/cosponsor.html",
        {"proposal": proposal, "cosponsors": selectors.cosponsor_count(proposal=proposal)},
    )


# ---- facilitators ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def challenge_new(request: HttpRequest) -> HttpResponse:
    form = ChallengeForm(request.POST or None, initial={"language": translation.get_language()})
    if request.method == "POST" and form.is_valid():
        try:
            challenge = services.challenge_create(user=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("The challenge is created."))
            return redirect(challenge.get_absolute_url())
    return render(
        request,
        "challenges/challenge_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _managed_or_403(request: HttpRequest, challenge: Challenge) -> None:
    if not selectors.challenge_may_manage(challenge=challenge, user=request.user):
        raise PermissionDenied


@login_required
@require_GET
def moderate(request: HttpRequest, challenge_id: str) -> HttpResponse:
    challenge = _challenge_or_404(challenge_id)
    _managed_or_403(request, challenge)
    return render(
        request,
        "challenges/moderate.html",
        {
            "challenge": challenge,
            "held": selectors.proposals_held(challenge=challenge),
            "log": selectors.challenge_log(challenge=challenge).order_by("-created_at", "-pk")[
                :200
            ],
            "reason_form": ReasonForm(),
        },
    )


@signed_in
@require_POST
def retention(request: HttpRequest, challenge_id: str) -> HttpResponse:
    """A facilitator sets how many days after closing the personal data is kept."""
    challenge = _challenge_or_404(challenge_id)
    back = reverse("challenges:moderate", kwargs={"challenge_id": challenge.pk})
    try:
        services.challenge_retention_set(
            user=request.user,
            challenge=challenge,
            retention_days=request.POST.get("retention_days"),
        )
    except ActionRefused as refused:
        return _refused(request, refused, back)
    message = _("Saved. The personal data is erased on %(date)s.") % {
        "date": date_format(
            timezone.localtime(challenge.personal_data_erased_after), "SHORT_DATE_FORMAT"
        )
    }
    return _done(request, message, back, {"retention_days": challenge.retention_days})


@signed_in
@require_POST
def review(request: HttpRequest, proposal_id: str, decision: str) -> HttpResponse:
    proposal = selectors.proposal_by_id(proposal_id=id_from_path(proposal_id))
    if proposal is None or decision not in {"approve", "hide"}:
        raise Http404(_("No such proposal."))
    back = reverse("challenges:moderate", kwargs={"challenge_id": proposal.challenge_id})
    act = services.proposal_approve if decision == "approve" else services.proposal_hide
    try:
        act(user=request.user, proposal_id=proposal.pk, reason=request.POST.get("reason", ""))
    except ActionRefused as refused:
        return _refused(request, refused, back)
    message = (
        _("The proposal is public.") if decision == "approve" else _("The proposal is hidden.")
    )
    return _done(request, message, back, {})


@signed_in
@require_POST
def from_workshop(request: HttpRequest, code: str) -> HttpResponse:
    """A workshop's theme or idea opened as a proposal in a challenge, in one action."""
    workshop = workshop_by_code(code=code)
    if workshop is None:
        raise Http404(_("No such workshop."))
    back = reverse("workshops:console", kwargs={"code": workshop.join_code})
    form = FromWorkshopForm(request.POST)
    if not form.is_valid():
        return _refused(request, ActionRefused("invalid", _("Choose a challenge.")), back)
    challenge = selectors.challenge_by_id(challenge_id=form.cleaned_data["challenge"])
    if challenge is None:
        return _refused(request, ActionRefused("not_found", _("No such challenge.")), back)
    try:
        proposal = services.proposal_from_workshop(
            user=request.user,
            challenge=challenge,
            workshop=workshop,
            cluster_id=form.cleaned_data["cluster"],
            idea_id=form.cleaned_data["idea"],
        )
    except ActionRefused as refused:
        return _refused(request, refused, back)
    return _done(
        request,
        _("It is now a proposal open for support."),
        proposal.get_absolute_url(),
        {"proposal": proposal_as_dict(proposal)},
    )


# ---- read-only JSON ---------------------------------------------------------------------------


@require_GET
def api_challenges(request: HttpRequest) -> JsonResponse:
    """Every challenge that has opened, with its public proposals (docs/challenges.md)."""
    challenges = list(selectors.challenges_open()) + list(selectors.challenges_closed())
    return JsonResponse({"challenges": [_challenge_json(c) for c in challenges]})


@require_GET
def api_challenge(request: HttpRequest, challenge_id: str) -> JsonResponse:
    """One challenge; an unknown one is `not_found` as JSON, whatever the Accept header says."""
    challenge = selectors.challenge_by_id(challenge_id=id_from_path(challenge_id))
    if challenge is None:
        return refused_json(ActionRefused("not_found", _("No such challenge.")))
    return JsonResponse(_challenge_json(challenge))


def _challenge_json(challenge: Challenge) -> dict[str, Any]:
    proposals = selectors.proposals_public(challenge=challenge)
    return {
        **challenge_as_dict(challenge),
        "proposal_count": len(proposals),
        "support_count": sum(p.support_count for p in proposals),
        "proposals": [proposal_as_dict(p) for p in proposals],
    }
