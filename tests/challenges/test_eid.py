"""Verified support through a real OpenID Connect provider process (tests/eid_provider/).

The provider is `oidc-provider` from npm, started on a free port; allauth talks to it
over HTTP (discovery, token endpoint) exactly as to an eID broker.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from django.test import Client, override_settings
from django.urls import reverse

from challenges.models import Challenge, Proposal, Support
from tests import eid_provider as test_provider
from tests.servers import service_missing

pytestmark = [pytest.mark.django_db, pytest.mark.services]

CALLBACK = "http://testserver/accounts/oidc/eid/login/callback/"
SUBJECT_KEY = "test-subject-key"


@pytest.fixture(scope="module")
def eid_issuer(request: pytest.FixtureRequest) -> Iterator[str]:
    problem = test_provider.missing()
    if problem:
        service_missing(request, problem)
    with test_provider.eid_provider([CALLBACK]) as issuer:
        yield issuer


@pytest.fixture
def eid_settings(eid_issuer: str, settings: Any) -> str:
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "eid",
                    "name": "eID",
                    "client_id": test_provider.CLIENT_ID,
                    "secret": test_provider.CLIENT_SECRET,
                    "settings": {
                        "server_url": eid_issuer,
                        "fetch_userinfo": False,
                        "scope": ["openid", "residence"],
                        "auth_params": {"acr_values": "substantial high"},
                    },
                }
            ]
        }
    }
    settings.SAMSKAB_EID = {
        "SERVER_URL": eid_issuer,
        "ACR_VALUES": ["substantial", "high"],
        "RESIDENCE_CLAIM": "municipality_code",
        "MUNICIPALITY_CODE": "0751",
        "SUBJECT_KEY": SUBJECT_KEY,
    }
    return eid_issuer


def sign_in(client: Client, provider: str, next_url: str, **person: Any) -> str:
    """Run the eID sign-in as a phone does; returns the message page the phone lands on."""
    test_provider.next_sign_in(provider, **person)
    start = client.post(reverse("challenges:eid_start"), {"next": next_url})
    assert start.status_code == 307
    to_provider = client.post(start["Location"])
    assert to_provider.status_code == 302, to_provider.content[:500]
    url = to_provider["Location"]
    with httpx.Client(timeout=10) as browser:
        for _step in range(12):
            answer = browser.get(url)
            location = answer.headers.get("location", "")
            assert answer.status_code in (302, 303), (answer.status_code, answer.text[:300])
            if location.startswith("http://testserver/"):
                break
            url = urljoin(url, location)
        else:
            raise AssertionError("the provider never sent the phone back")
    landed = client.get(location.removeprefix("http://testserver"), follow=True)
    return landed.content.decode()


@pytest.fixture
def verified_proposal(proposal: Proposal) -> Proposal:
    Challenge.objects.filter(pk=proposal.challenge_id).update(
        supporters="verified", residence_required=True
    )
    proposal.refresh_from_db()
    return proposal


def _support(client: Client, proposal: Proposal) -> Any:
    return client.post(
        reverse("challenges:support", args=[proposal.pk]), HTTP_ACCEPT="application/json"
    )


def test_a_resident_supports_once_and_only_a_keyed_hash_is_kept(
    eid_settings: str, verified_proposal: Proposal
) -> None:
    phone = Client()
    sign_in(
        phone,
        eid_settings,
        verified_proposal.get_absolute_url(),
        sub="0101901234",
        acr="substantial",
        municipality_code="0751",
    )

    answer = _support(phone, verified_proposal)

    assert answer.status_code == 200, answer.content
    support = Support.objects.get()
    expected = hmac.new(SUBJECT_KEY.encode(), b"0101901234", hashlib.sha256).hexdigest()
    assert support.person_hash == expected
    assert "0101901234" not in str(list(Support.objects.values()))
    # The same person on a second phone is still one supporter.
    other_phone = Client()
    sign_in(
        other_phone,
        eid_settings,
        verified_proposal.get_absolute_url(),
        sub="0101901234",
        acr="high",
        municipality_code="0751",
    )
    again = _support(other_phone, verified_proposal)
    assert again.status_code == 400 and again.json()["code"] == "already_supported"
    verified_proposal.refresh_from_db()
    assert verified_proposal.support_count == 1


def test_too_low_an_assurance_is_refused(eid_settings: str, verified_proposal: Proposal) -> None:
    phone = Client()
    page = sign_in(
        phone,
        eid_settings,
        verified_proposal.get_absolute_url(),
        sub="0202902345",
        acr="low",
        municipality_code="0751",
    )

    assert "not strong enough" in page
    answer = _support(phone, verified_proposal)
    assert answer.json()["code"] == "verification_required"
    assert not Support.objects.exists()


def test_someone_from_another_municipality_is_refused(
    eid_settings: str, verified_proposal: Proposal
) -> None:
    phone = Client()
    sign_in(
        phone,
        eid_settings,
        verified_proposal.get_absolute_url(),
        sub="0303903456",
        acr="high",
        municipality_code="0101",
    )

    answer = _support(phone, verified_proposal)

    assert answer.status_code == 400 and answer.json()["code"] == "eid_not_resident"
    assert not Support.objects.exists()


def test_an_expired_id_token_is_refused(eid_settings: str, verified_proposal: Proposal) -> None:
    phone = Client()
    # The provider's clock two hours behind: its token expired an hour ago.
    sign_in(
        phone,
        eid_settings,
        verified_proposal.get_absolute_url(),
        sub="0404904567",
        acr="high",
        municipality_code="0751",
        clock_offset=-7200,
    )

    answer = _support(phone, verified_proposal)

    assert answer.json()["code"] == "verification_required"
    assert not Support.objects.exists()


def test_a_forged_callback_is_refused(eid_settings: str, verified_proposal: Proposal) -> None:
    phone = Client()
    phone.post(reverse("challenges:eid_start"), {"next": verified_proposal.get_absolute_url()})

    landed = phone.get(
        "/accounts/oidc/eid/login/callback/", {"code": "forged-code", "state": "forged-state"}
    )

    assert landed.status_code in (200, 400, 401)
    answer = _support(phone, verified_proposal)
    assert answer.json()["code"] == "verification_required"
    assert not Support.objects.exists()


@override_settings(SAMSKAB_EID={"SERVER_URL": ""})
def test_without_an_eid_configured_the_page_says_so(verified_proposal: Proposal) -> None:
    page = Client().get(verified_proposal.get_absolute_url()).content.decode()

    assert "not set up here" in page
