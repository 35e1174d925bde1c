"""The mails of a Danish and a Swedish workshop and challenge, through a real SMTP server.

The address confirmation, a status notice, the digest of several changes and the
administration's notice of a proposal that reached its threshold: subject and body in
the language of what the person took part in, with no English.
"""

from __future__ import annotations

from datetime import timedelta
from email.header import decode_header, make_header
from email.message import Message

import pytest
from django.utils import timezone

from challenges import services as challenges
from challenges.models import Challenge, Citizen
from statuses.mail import digests_send
from statuses.models import Receipt
from statuses.services import (
    receipt_for_citizen,
    receipt_for_participant,
    status_change,
    subscription_confirm,
    subscription_request,
)
from statuses.tasks import status_change_tell, subscription_confirmation_send
from tests.factories import UserFactory
from tests.i18n.conftest import TYPED, Seeded
from tests.i18n.english import English
from tests.statuses.conftest import Sink, body_of, smtp_sink  # noqa: F401 - a fixture
from workshops.models import Participant, Workshop

pytestmark = pytest.mark.django_db

# A word of each language that the mails use, so an empty or English mail cannot pass.
OWN_WORDS = {"da": ("bekræft", "Nyt om"), "sv": ("bekräfta", "Nyheter om")}


def subject_of(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def read(message: Message) -> str:
    return subject_of(message) + "\n" + body_of(message)


def confirmed(receipt: Receipt, address: str, sink: Sink) -> Message:
    subscription = subscription_request(receipt=receipt, email=address)
    subscription_confirmation_send.call(subscription_id=subscription.pk)
    subscription_confirm(token=subscription.confirm_token)
    [confirmation] = sink.to(address)
    return confirmation


def english_in(language: str, messages: list[Message]) -> dict[str, list[str]]:
    english = English(language, list(TYPED[language].values()))
    found = {subject_of(m): english.found_in(read(m)) for m in messages}
    return {subject: words for subject, words in found.items() if words}


@pytest.mark.parametrize("language", ["da", "sv"])
def test_a_workshops_mails_speak_its_language(
    smtp_sink: Sink,  # noqa: F811
    language: str,
    seeded: Seeded,
) -> None:
    typed = TYPED[language]
    user, administration, proposition = seeded.member, seeded.administration, seeded.proposition
    address = f"ea-{language}@example.org"
    confirmed(receipt_for_participant(participant=seeded.participant), address, smtp_sink)

    # One change: a notice of its own. Two more the same day: one digest the next day.
    for status, extra in (
        ("accepted", {}),
        ("in_progress", {"progress": 30, "note": typed["note"]}),
        ("done", {"note": typed["note"]}),
    ):
        change = status_change(
            user=user, item=proposition, status=status, administration=administration, **extra
        )
        status_change_tell.call(change_id=change.pk)
    assert digests_send(now=timezone.now() + timedelta(hours=25)) == 1
    confirmation, notice, digest = smtp_sink.to(address)

    assert OWN_WORDS[language][0] in body_of(confirmation).lower()
    assert subject_of(notice).startswith(OWN_WORDS[language][1]), subject_of(notice)
    assert subject_of(digest).endswith({"da": "2 ændringer", "sv": "2 ändringar"}[language])
    assert typed["note"] in body_of(digest)
    assert english_in(language, [confirmation, notice, digest]) == {}


@pytest.mark.parametrize("language", ["da", "sv"])
def test_a_challenges_mails_speak_its_language(
    smtp_sink: Sink,  # noqa: F811
    language: str,
    seeded: Seeded,
    django_capture_on_commit_callbacks: pytest.FixtureRequest,
) -> None:
    typed = TYPED[language]
    user, administration, proposal = seeded.member, seeded.administration, seeded.proposal
    address = f"author-{language}@example.org"
    confirmation = confirmed(receipt_for_citizen(citizen=seeded.citizen), address, smtp_sink)

    # Supported to its threshold: forwarded, and the administration is told by mail.
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        challenges.support_give(proposal_id=proposal.pk, citizen=Citizen.objects.create())
        assert challenges.proposals_forward_due() == 1
    [forwarded] = smtp_sink.to(administration.email)
    assert Challenge.objects.get(pk=seeded.challenge.pk).language == language

    change = status_change(
        user=user, item=proposal, status="accepted", administration=administration
    )
    status_change_tell.call(change_id=change.pk)
    notices = smtp_sink.to(address)[1:]
    assert notices, "the author heard nothing of the change"

    assert OWN_WORDS[language][0] in body_of(confirmation).lower()
    assert typed["proposal"] in subject_of(forwarded)
    assert english_in(language, [confirmation, forwarded, *notices]) == {}


def test_the_check_finds_english_in_an_english_mail(smtp_sink: Sink) -> None:  # noqa: F811
    """The same confirmation, for an English workshop: the check would notice."""
    workshop = Workshop.objects.create(
        owner=UserFactory(), title="Library", question="Library", language="en"
    )
    participant = Participant.objects.create(workshop=workshop, display_name="Ea")
    confirmation = confirmed(
        receipt_for_participant(participant=participant), "en@example.org", smtp_sink
    )
    assert English("da").found_in(read(confirmation))
