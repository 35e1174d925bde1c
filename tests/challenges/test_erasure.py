"""A challenge citizen erases their data; a closed challenge's personal data outlives nothing.

What a citizen would notice: their receipt, address and notices are gone, nothing
ties the phone to what it did, yet every proposal and every count stays as it was.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.core.management import call_command
from django.utils import timezone

from administrations.models import Administration
from challenges import services
from challenges.models import (
    Challenge,
    ChallengeLog,
    Citizen,
    Cosponsorship,
    Proposal,
    ProposalFlag,
    Support,
)
from challenges.tasks import challenges_personal_data_expired_erase
from statuses.models import Notice, Receipt, ReopenRequest, Subscription, Unsubscription
from statuses.services import (
    notices_create,
    receipt_for_citizen,
    status_change,
    subscription_request,
)
from tests.challenges.conftest import citizens, make_challenge
from tests.factories import UserFactory
from workshops.errors import ActionRefused

pytestmark = pytest.mark.django_db


def _support(proposal: Proposal, *people: Citizen) -> None:
    for citizen in people:
        services.support_give(proposal_id=proposal.pk, citizen=citizen)


def _subscribed(citizen: Citizen, email: str) -> Receipt:
    receipt = receipt_for_citizen(citizen=citizen)
    subscription_request(receipt=receipt, email=email)
    return receipt


def _log_text(challenge: Challenge) -> str:
    return repr(list(ChallengeLog.objects.filter(challenge=challenge).values()))


def test_an_erased_supporter_leaves_the_count_and_the_proposal_as_they_were(
    proposal: Proposal, author: Citizen
) -> None:
    supporter, other = citizens(2)
    _support(proposal, supporter, other)
    receipt = _subscribed(supporter, "supporter@example.org")
    key = supporter.key
    session = {services.SESSION_CITIZEN_KEY: key, "challenges.eid_person": {"hash": "x"}}

    assert services.citizen_erase(citizen_key=key, session=session) == 1

    proposal.refresh_from_db()
    assert proposal.support_count == 2
    assert Support.objects.filter(proposal=proposal).count() == 2
    assert Support.objects.filter(proposal=proposal, citizen=None).count() == 1
    assert not Citizen.objects.filter(key=key).exists()
    assert not Receipt.objects.filter(token=receipt.token).exists()
    assert not Subscription.objects.filter(email="supporter@example.org").exists()
    assert session == {}
    # The other supporter and the author are untouched.
    assert Support.objects.filter(proposal=proposal, citizen=other).exists()
    assert Proposal.objects.get(pk=proposal.pk).author_id == author.pk
    [line] = ChallengeLog.objects.filter(challenge=proposal.challenge, kind=ChallengeLog.Kind.ERASE)
    assert line.detail == {"supports": 1}
    assert line.facilitator_id is None and line.facilitator_email == ""
    assert "supporter@example.org" not in _log_text(proposal.challenge)
    assert key not in _log_text(proposal.challenge)


def test_an_erased_author_leaves_the_proposal_public_and_unsigned(
    challenge: Challenge, author: Citizen
) -> None:
    proposal = services.proposal_submit(
        challenge=challenge,
        citizen=author,
        title="Benches",
        text="More benches.",
        author_name="Ada",
    )
    other_author, reporter, supporter = citizens(3)
    # The author also co-sponsors someone else's proposal and reported a third.
    other = Proposal.objects.create(
        challenge=challenge, author=other_author, title="Other", text="Other.", status="open"
    )
    Cosponsorship.objects.create(proposal=other, citizen=author)
    ProposalFlag.objects.create(proposal=other, citizen=author, reason="spam")
    ProposalFlag.objects.create(proposal=other, citizen=reporter, reason="spam")
    _support(proposal, supporter)

    services.citizen_erase(citizen_key=author.key)

    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.OPEN
    assert proposal.author_id is None and proposal.author_name == ""
    assert (proposal.title, proposal.text) == ("Benches", "More benches.")
    assert proposal.support_count == 1
    assert Cosponsorship.objects.filter(proposal=other, citizen=None).count() == 1
    # The reports still count towards a hold.
    assert ProposalFlag.objects.filter(proposal=other).count() == 2
    [line] = ChallengeLog.objects.filter(challenge=challenge, kind=ChallengeLog.Kind.ERASE)
    assert line.detail == {"proposals": 1, "cosponsorships": 1, "flags": 1}
    assert "Ada" not in _log_text(challenge)
    # Nobody may withdraw it any more: it belongs to nobody.
    with pytest.raises(ActionRefused):
        services.proposal_withdraw(proposal_id=proposal.pk, citizen=Citizen.objects.create())


def test_a_reached_threshold_stays_reached_after_its_supporters_erase(
    proposal: Proposal,
) -> None:
    supporters = citizens(3)
    _support(proposal, *supporters)
    proposal.refresh_from_db()
    reached = proposal.threshold_reached_at
    assert reached is not None
    for supporter in supporters:
        services.citizen_erase(citizen_key=supporter.key)
    proposal.refresh_from_db()
    assert proposal.support_count == 3
    assert proposal.threshold_reached_at == reached
    assert proposal.status == Proposal.Status.THRESHOLD_REACHED


def test_an_erased_open_phone_is_new_and_may_support_again(proposal: Proposal) -> None:
    """Documented: open support is one per phone only as long as the phone is known."""
    [supporter] = citizens(1)
    _support(proposal, supporter)
    services.citizen_erase(citizen_key=supporter.key)
    _support(proposal, Citizen.objects.create())
    proposal.refresh_from_db()
    assert proposal.support_count == 2


def test_verified_support_keeps_one_person_one_voice_after_an_erasure(
    challenge_owner: AbstractBaseUser, administration: Administration, author: Citizen
) -> None:
    challenge = make_challenge(challenge_owner, administration, supporters="verified")
    proposal = services.proposal_submit(
        challenge=challenge, citizen=author, title="Lights", text="Street lights."
    )
    [supporter] = citizens(1)
    services.support_give(proposal_id=proposal.pk, citizen=supporter, person_hash="p" * 64)
    services.citizen_erase(citizen_key=supporter.key)
    # The same person on a new phone: still counted once.
    with pytest.raises(ActionRefused) as refused:
        services.support_give(
            proposal_id=proposal.pk, citizen=Citizen.objects.create(), person_hash="p" * 64
        )
    assert refused.value.code == "already_supported"
    proposal.refresh_from_db()
    assert proposal.support_count == 1


def test_a_closed_challenges_support_loses_its_person_hash_at_erasure(
    challenge_owner: AbstractBaseUser, administration: Administration, author: Citizen
) -> None:
    challenge = make_challenge(challenge_owner, administration, supporters="verified")
    proposal = services.proposal_submit(
        challenge=challenge, citizen=author, title="Lights", text="Street lights."
    )
    [supporter] = citizens(1)
    services.support_give(proposal_id=proposal.pk, citizen=supporter, person_hash="p" * 64)
    Challenge.objects.filter(pk=challenge.pk).update(closes_at=timezone.now())
    services.citizen_erase(citizen_key=supporter.key)
    [support] = Support.objects.filter(proposal=proposal)
    assert support.citizen_id is None and support.person_hash is None


@pytest.mark.parametrize("key", ["", "forged-" + "x" * 30, "y" * 65, None, 7])
def test_erasing_with_a_key_that_names_nobody_changes_nothing(
    proposal: Proposal, author: Citizen, key: object
) -> None:
    before = (Citizen.objects.count(), ChallengeLog.objects.count(), Support.objects.count())
    with pytest.raises(ActionRefused) as refused:
        services.citizen_erase(citizen_key=key)
    assert refused.value.code == "not_found"
    assert (
        Citizen.objects.count(),
        ChallengeLog.objects.count(),
        Support.objects.count(),
    ) == before
    assert Proposal.objects.get(pk=proposal.pk).author_id == author.pk


def test_erasing_twice_is_refused_the_second_time(proposal: Proposal, author: Citizen) -> None:
    key = author.key
    services.citizen_erase(citizen_key=key)
    lines = ChallengeLog.objects.count()
    with pytest.raises(ActionRefused):
        services.citizen_erase(citizen_key=key)
    assert ChallengeLog.objects.count() == lines


# ---- retention ---------------------------------------------------------------------------------


@pytest.fixture
def member(administration: Administration) -> AbstractBaseUser:
    user = UserFactory(username="culture-member")
    administration.members.add(user)
    return user


def _close_long_ago(challenge: Challenge, days: int) -> None:
    past = timezone.now() - timedelta(days=days)
    Challenge.objects.filter(pk=challenge.pk).update(
        opens_at=past - timedelta(days=30), closes_at=past
    )
    challenge.refresh_from_db()


def test_the_retention_job_erases_a_closed_challenge_once(
    challenge_owner: AbstractBaseUser,
    administration: Administration,
    member: AbstractBaseUser,
) -> None:
    kept = make_challenge(challenge_owner, administration, retention_days=30)
    due = make_challenge(challenge_owner, administration, retention_days=30)
    author, supporter, elsewhere = citizens(3)
    old = services.proposal_submit(
        challenge=due, citizen=author, title="Old", text="Old idea.", author_name="Ada"
    )
    new = services.proposal_submit(challenge=kept, citizen=elsewhere, title="New", text="New.")
    _support(old, supporter, elsewhere)
    _support(new, supporter)
    author_receipt = _subscribed(author, "author@example.org")
    supporter_receipt = _subscribed(supporter, "supporter@example.org")
    change = status_change(user=member, item=old, status="accepted", administration=administration)
    notices_create(change=change)
    assert Notice.objects.filter(receipt=supporter_receipt).count() == 1
    Unsubscription.objects.create(
        subscription=supporter_receipt.subscription,
        content_type_id=change.item_status.content_type_id,
        object_id=old.pk,
    )
    _close_long_ago(due, days=31)
    _close_long_ago(kept, days=29)

    assert services.challenges_retention_due() == [due]
    assert challenges_personal_data_expired_erase.call() == 3

    old.refresh_from_db()
    assert (old.author_id, old.author_name, old.support_count) == (None, "", 2)
    assert old.title == "Old"
    assert not Support.objects.filter(proposal=old).exclude(citizen=None).exists()
    # The author took part nowhere else: erased whole, receipt and address with them.
    assert not Citizen.objects.filter(pk=author.pk).exists()
    assert not Receipt.objects.filter(pk=author_receipt.pk).exists()
    assert not Subscription.objects.filter(email="author@example.org").exists()
    # The supporter still supports in the other challenge: the receipt stays, without
    # anything of the erased challenge on it.
    assert Citizen.objects.filter(pk=supporter.pk).exists()
    assert Subscription.objects.filter(email="supporter@example.org").exists()
    assert not Notice.objects.filter(receipt=supporter_receipt).exists()
    assert not Unsubscription.objects.exists()
    assert Support.objects.filter(proposal=new, citizen=supporter).exists()
    [line] = ChallengeLog.objects.filter(challenge=due, kind=ChallengeLog.Kind.RETENTION)
    assert line.detail == {"citizens": 3, "citizens_erased": 1, "retention_days": 30}
    assert not ChallengeLog.objects.filter(challenge=kept, kind=ChallengeLog.Kind.RETENTION)

    # A second run finds nothing and writes nothing.
    assert challenges_personal_data_expired_erase.call() == 0
    assert services.challenge_erase_personal_data(challenge=due) == 0
    assert ChallengeLog.objects.filter(kind=ChallengeLog.Kind.RETENTION).count() == 1


def test_an_authors_answer_stays_with_the_administration_from_nobody(
    challenge: Challenge, author: Citizen, member: AbstractBaseUser, administration: Administration
) -> None:
    proposal = services.proposal_submit(challenge=challenge, citizen=author, title="T", text="X")
    receipt = receipt_for_citizen(citizen=author)
    status_change(user=member, item=proposal, status="accepted", administration=administration)
    done = status_change(
        user=member, item=proposal, status="done", administration=administration, note="Done."
    )
    ReopenRequest.objects.create(
        item_status=done.item_status, done_change=done, receipt=receipt, solved=False, comment="No"
    )
    _close_long_ago(challenge, days=200)
    call_command("erase_expired_personal_data", verbosity=0)
    [answer] = ReopenRequest.objects.all()
    assert answer.receipt_id is None and answer.comment == "No"
    assert not Receipt.objects.exists()


def test_the_command_lists_due_challenges_and_erases_them(
    challenge: Challenge, author: Citizen, capsys: pytest.CaptureFixture[str]
) -> None:
    services.proposal_submit(challenge=challenge, citizen=author, title="T", text="X")
    _close_long_ago(challenge, days=181)
    call_command("erase_expired_personal_data", "--dry-run")
    assert f"would erase challenge {challenge.pk}" in capsys.readouterr().out
    assert Citizen.objects.filter(pk=author.pk).exists()
    call_command("erase_expired_personal_data")
    out = capsys.readouterr().out
    assert f"erased 1 citizens of challenge {challenge.pk}" in out
    assert "1 challenge(s) past their retention period" in out
    assert not Citizen.objects.filter(pk=author.pk).exists()
    call_command("erase_expired_personal_data")
    assert "0 challenge(s) past their retention period" in capsys.readouterr().out


def test_facilitators_set_the_retention_and_others_cannot(
    challenge: Challenge, challenge_owner: AbstractBaseUser
) -> None:
    assert challenge.retention_days == 180
    services.challenge_retention_set(user=challenge_owner, challenge=challenge, retention_days="60")
    challenge.refresh_from_db()
    assert challenge.retention_days == 60
    assert challenge.personal_data_erased_after == challenge.closes_at + timedelta(days=60)
    for bad in ("0", "3651", "soon", None):
        with pytest.raises(ActionRefused):
            services.challenge_retention_set(
                user=challenge_owner, challenge=challenge, retention_days=bad
            )
    with pytest.raises(ActionRefused) as refused:
        services.challenge_retention_set(
            user=UserFactory(username="stranger"), challenge=challenge, retention_days=10
        )
    assert refused.value.code == "forbidden"
    challenge.refresh_from_db()
    assert challenge.retention_days == 60


def test_a_proposal_without_author_tells_no_workshop_participant(
    proposal: Proposal, author: Citizen, member: AbstractBaseUser, administration: Administration
) -> None:
    """An unsigned proposal must not reach every receipt that has no citizen."""
    from statuses.services import receipt_for_participant
    from tests.factories import ParticipantFactory

    bystander = receipt_for_participant(participant=ParticipantFactory())
    [supporter] = citizens(1)
    _support(proposal, supporter)
    told = receipt_for_citizen(citizen=supporter)
    services.citizen_erase(citizen_key=author.key)
    change = status_change(
        user=member, item=proposal, status="accepted", administration=administration
    )
    assert notices_create(change=change) == 1
    assert set(Notice.objects.values_list("receipt_id", flat=True)) == {told.pk}
    assert not Notice.objects.filter(receipt=bystander).exists()


def test_the_moderation_page_shows_and_sets_the_retention(
    challenge: Challenge, challenge_owner: AbstractBaseUser
) -> None:
    from django.test import Client
    from django.urls import reverse

    page_url = reverse("challenges:moderate", kwargs={"challenge_id": challenge.pk})
    url = reverse("challenges:retention", kwargs={"challenge_id": challenge.pk})
    owner = Client()
    owner.force_login(challenge_owner)
    page = owner.get(page_url).content.decode()
    assert "erased 180 days after the challenge closes" in page
    assert owner.get(url).status_code == 405
    response = owner.post(url, {"retention_days": "45"}, follow=True)
    erased_on = challenge.closes_at + timedelta(days=45)
    assert "Saved. The personal data is erased on" in response.content.decode()
    assert "erased 45 days after the challenge closes" in response.content.decode()
    challenge.refresh_from_db()
    assert challenge.personal_data_erased_after == erased_on
    assert "45 days after closing" in response.content.decode()  # the log's line
    bad = owner.post(url, {"retention_days": "0"}, follow=True).content.decode()
    assert "must be a whole number from 1 to 3650" in bad
    stranger = Client()
    stranger.force_login(UserFactory(username="stranger"))
    assert stranger.post(url, {"retention_days": "1"}).status_code == 302
    challenge.refresh_from_db()
    assert challenge.retention_days == 45
    # Once erased, the page says when, and offers no form.
    services.challenge_erase_personal_data(challenge=challenge)
    page = owner.get(page_url).content.decode()
    assert "The personal data of this challenge was erased on" in page
    assert 'name="retention_days"' not in page
