"""Data for the every-page test: one of each thing a page shows, and a session per kind of user.

Run inside the live server's database (`manage.py shell`); `seed()` returns what the test
needs to build each page's address and to sign each kind of user in, as JSON-ready values.
"""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from administrations.models import Administration
from challenges import services as challenge_services
from challenges.models import Citizen
from challenges.selectors import SESSION_CITIZEN_KEY
from cocreation.services import request_submit
from ideas.models import Cluster
from statuses.mail import unsubscribe_token
from statuses.services import (
    receipt_for_citizen,
    receipt_for_participant,
    status_change,
    subscription_request,
)
from summaries.models import PropositionField, SummaryShare, ValueProposition
from tendencies.models import Theme, ThemeTag
from tests.factories import (
    IdeaFactory,
    InvitationFactory,
    ParticipantFactory,
    UserFactory,
    WorkshopFactory,
)
from voting.models import Ballot, Vote
from workshops.actors import PARTICIPANTS_SESSION_KEY
from workshops.models import Participant, Workshop
from workshops.phases import Phase


def _session(values: dict[str, Any]) -> str:
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    for key, value in values.items():
        store[key] = value
    store.create()
    return str(store.session_key)


def _signed_in(user: Any) -> str:
    return _session(
        {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
    )


def _participant_session(participant: Participant) -> str:
    return _session({PARTICIPANTS_SESSION_KEY: {str(participant.workshop_id): participant.key}})


def seed() -> dict[str, Any]:
    now = timezone.now()
    facilitator = UserFactory(email="every-page-facilitator@example.org")
    member = UserFactory(email="every-page-member@example.org")
    staff = UserFactory(email="every-page-staff@example.org", is_staff=True, is_superuser=True)
    parks = Administration.objects.create(
        name="Parks and Roads", slug="every-page-parks", email="parks@example.org"
    )
    parks.members.add(member)
    Administration.objects.create(name="Culture and Leisure", slug="every-page-culture")
    staff.user_permissions.add(Permission.objects.get(codename="triage_cocreationrequest"))

    # A room in the middle of ideation, and a closed one whose outcome has public statuses.
    live = WorkshopFactory(owner=facilitator, title="Library evenings", phase=Phase.IDEATE)
    citizen = ParticipantFactory(workshop=live, display_name="Ada")
    IdeaFactory(author=citizen, text="Open late on Fridays")
    IdeaFactory(author=ParticipantFactory(workshop=live), text="A quiet room for homework")

    closed = WorkshopFactory(owner=facilitator, title="Harbour bath")
    author = ParticipantFactory(workshop=closed, display_name="Bo")
    cluster = Cluster.objects.create(workshop=closed, name="Swimming all year")
    idea = IdeaFactory(author=author, text="Heated pool in winter", cluster=cluster)
    IdeaFactory(author=ParticipantFactory(workshop=closed), text="Lifeguards at weekends")
    ballot = Ballot.objects.create(workshop=closed)
    Vote.objects.create(ballot=ballot, participant=author, idea=idea, weight=2)
    proposition = ValueProposition.objects.create(workshop=closed, cluster=cluster)
    PropositionField.objects.create(proposition=proposition, name="target_group", text="Swimmers")
    Workshop.objects.filter(pk=closed.pk).update(phase=Phase.CLOSED)
    closed.refresh_from_db()
    idea.refresh_from_db()
    receipt = receipt_for_participant(participant=author)
    status_change(
        user=member, item=idea, status="accepted", administration=parks, note="We will try it."
    )
    share = SummaryShare.objects.create(workshop=closed)
    InvitationFactory(workshop=closed, email=facilitator.email)
    invitation = InvitationFactory(workshop=live, email=member.email)

    # An open challenge with a public proposal that has a status, and one awaiting co-sponsors.
    challenge = challenge_services.challenge_create(
        user=facilitator,
        title="Greener streets",
        question="How do we make our streets greener?",
        context="Streets are grey.",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
        threshold_value=3,
        administration=parks,
    )
    proposer = Citizen.objects.create()
    proposal = challenge_services.proposal_submit(
        challenge=challenge,
        citizen=proposer,
        title="Trees on Main Street",
        text="Plant lime trees along Main Street.",
    )
    status_change(user=member, item=proposal, status="under_review", administration=parks)
    cosponsored = challenge_services.challenge_create(
        user=facilitator,
        title="Safer school roads",
        question="How do children get to school safely?",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
        threshold_value=3,
        cosponsors_needed=2,
        administration=parks,
    )
    waiting = challenge_services.proposal_submit(
        challenge=cosponsored,
        citizen=proposer,
        title="A crossing guard at the school",
        text="Someone to help children cross in the morning.",
    )
    citizen_receipt = receipt_for_citizen(citizen=proposer)
    subscription = subscription_request(receipt=citizen_receipt, email="citizen@example.org")

    request = request_submit(
        user=member,
        administration=parks,
        fields={
            "title": "A new e-service for parking permits",
            "current_situation": "Permits are paper forms.",
            "citizens_needs": "Apply from the phone.",
            "goals": "Half the calls by next year.",
            "owner": "Parks and Roads",
        },
    )

    theme = Theme.objects.create(name="Cycling")
    ThemeTag.objects.create(theme=theme, name="cykelsti")
    idea.tags.add("cykelsti")

    return {
        "live": live.join_code,
        "closed": closed.join_code,
        "observer": live.observer_token,
        "idea": idea.pk,
        "cluster": cluster.pk,
        "challenge": challenge.pk,
        "proposal": proposal.pk,
        "cosponsor": waiting.cosponsor_token,
        "receipt": receipt.token,
        "citizen_receipt": citizen_receipt.token,
        "confirm": subscription.confirm_token,
        "unsubscribe": unsubscribe_token(
            subscription_id=subscription.pk,
            content_type_id=ContentType.objects.get_for_model(proposal).pk,
            object_id=proposal.pk,
        ),
        "share": share.token,
        "invitation": invitation.token,
        "administration": parks.slug,
        "request": request.pk,
        "theme": theme.pk,
        "sessions": {
            "participant": _participant_session(citizen),
            "citizen": _session({SESSION_CITIZEN_KEY: proposer.key}),
            "facilitator": _signed_in(facilitator),
            "member": _signed_in(member),
            "staff": _signed_in(staff),
        },
    }
