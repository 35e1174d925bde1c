"""Verified support: an eID sign-in through an OpenID Connect broker (MitID, BankID, Freja).

The sign-in itself is django-allauth's OpenID Connect provider, configured by
settings alone (config/settings.py, `EID_*` in the README): allauth sends the phone
to the broker and checks the ID token it gets back (issuer, audience, expiry). Its
claims then come here, before allauth would create any account: nothing of the
person is stored but a keyed hash (HMAC-SHA256 with `EID_SUBJECT_KEY`) of the
token's subject, kept in the phone's session for `MAX_AGE_SECONDS`, plus the level
of assurance and whether the residence claim names this municipality. Every
support checks them again against its challenge, so a sign-in never outlives its
use and a phone cannot claim another person's residence.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workshops.errors import ActionRefused

from .models import Challenge

PROVIDER_ID = "eid"
SESSION_PERSON_KEY = "challenges.eid_person"
SESSION_NEXT_KEY = "challenges.eid_next"
# A sign-in counts for the supports given within this many seconds of it.
MAX_AGE_SECONDS = 600


def eid_enabled() -> bool:
    return bool(settings.SAMSKAB_EID["SERVER_URL"])


def person_hash(subject: str) -> str:
    """The keyed hash stored instead of the eID's subject: the same person, the same hash."""
    key = str(settings.SAMSKAB_EID["SUBJECT_KEY"]).encode()
    return hmac.new(key, subject.encode(), hashlib.sha256).hexdigest()


def person_from_claims(claims: dict[str, Any], *, now: float | None = None) -> dict[str, Any]:
    """What a verified ID token says that support needs; ActionRefused when it says too little.

    Precondition: the token's signature, issuer, audience and expiry were checked
    (allauth does so when it takes the token from the broker).
    """
    now = now or time.time()
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise ActionRefused("eid_invalid", _("The eID sign-in did not say who you are."))
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or expires <= now:
        raise ActionRefused("eid_expired", _("The eID sign-in has expired. Sign in again."))
    accepted = settings.SAMSKAB_EID["ACR_VALUES"]
    if claims.get("acr") not in accepted:
        raise ActionRefused(
            "eid_assurance_too_low",
            _("This eID sign-in is not strong enough to support. Sign in with a higher level."),
        )
    residence = claims.get(str(settings.SAMSKAB_EID["RESIDENCE_CLAIM"]))
    municipality = settings.SAMSKAB_EID["MUNICIPALITY_CODE"]
    return {
        "person": person_hash(subject),
        "acr": claims["acr"],
        "resident": bool(municipality) and str(residence) == str(municipality),
        "at": now,
    }


def person_from_session(session: Any) -> dict[str, Any] | None:
    """The phone's recent eID sign-in, if it is still fresh."""
    person = session.get(SESSION_PERSON_KEY)
    if not isinstance(person, dict) or time.time() - float(person.get("at", 0)) > MAX_AGE_SECONDS:
        return None
    return person


def person_for_challenge(session: Any, challenge: Challenge) -> str | None:
    """The person hash to support with, checked against what the challenge asks."""
    if challenge.supporters != Challenge.Supporters.VERIFIED:
        return None
    person = person_from_session(session)
    if person is None:
        return None
    if challenge.residence_required and not person.get("resident"):
        raise ActionRefused(
            "eid_not_resident",
            _("Only people who live in the municipality can support proposals in this challenge."),
        )
    return str(person["person"])


@require_POST
def eid_start(request: HttpRequest) -> HttpResponse:
    """Remember where to come back to, then hand over to allauth's OpenID Connect sign-in."""
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("challenges:list")
    request.session[SESSION_NEXT_KEY] = next_url
    if not eid_enabled():
        messages.error(request, _("eID sign-in is not set up here."))
        return redirect(next_url)
    # 307 keeps the POST and its CSRF token: allauth's login view starts the flow on POST.
    login = reverse("openid_connect_login", kwargs={"provider_id": PROVIDER_ID})
    return HttpResponse(status=307, headers={"Location": f"{login}?process=login"})


class EidAdapter(DefaultSocialAccountAdapter):
    """Takes an eID sign-in's claims and stops there: no account, no stored profile."""

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        if sociallogin.account.provider != PROVIDER_ID:
            return super().pre_social_login(request, sociallogin)
        claims = (sociallogin.account.extra_data or {}).get("id_token") or {}
        next_url = request.session.pop(SESSION_NEXT_KEY, None) or reverse("challenges:list")
        try:
            request.session[SESSION_PERSON_KEY] = person_from_claims(claims)
        except ActionRefused as refused:
            request.session.pop(SESSION_PERSON_KEY, None)
            messages.error(request, refused.message)
        else:
            messages.success(request, _("You are signed in with eID. Now confirm your support."))
        raise ImmediateHttpResponse(redirect(next_url))
