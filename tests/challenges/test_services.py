"""Challenges, proposals, co-sponsors and support: what a citizen or facilitator would notice."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from PIL import ExifTags, Image

from administrations.models import Administration
from challenges import services
from challenges.models import Challenge, ChallengeLog, Citizen, Proposal, Support
from challenges.selectors import proposal_progress, proposals_public, proposals_similar
from tests.challenges.conftest import citizens, make_challenge
from workshops.errors import ActionRefused

pytestmark = pytest.mark.django_db


def _kinds(challenge: Challenge) -> list[str]:
    return list(ChallengeLog.objects.filter(challenge=challenge).values_list("kind", flat=True))


# ---- creating a challenge ----------------------------------------------------------------


@override_settings(SAMSKAB={"MUNICIPALITY_POPULATION": 78_000})
def test_a_threshold_per_thousand_inhabitants_becomes_a_number(
    challenge_owner: AbstractBaseUser, administration: Administration
) -> None:
    challenge = make_challenge(
        challenge_owner, administration, threshold_kind="per_thousand", threshold_value=1
    )

    assert challenge.threshold == 78


@override_settings(SAMSKAB={"MUNICIPALITY_POPULATION": 0})
def test_a_threshold_per_thousand_needs_the_population(
    challenge_owner: AbstractBaseUser, administration: Administration
) -> None:
    with pytest.raises(ActionRefused, match="population is not set"):
        make_challenge(challenge_owner, administration, threshold_kind="per_thousand")

    assert not Challenge.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("threshold_value", 0, "Threshold must be a whole number"),
        ("threshold_value", "many", "Threshold must be a whole number"),
        ("cosponsors_needed", -1, "Co-sponsors must be a whole number"),
        ("title", "x" * 201, "at most 200"),
        ("question", "", "Write the question"),
        ("language", "xx", "language"),
        ("supporters", "anyone", "who may support"),
    ],
)
def test_a_challenge_with_bad_settings_is_refused(
    challenge_owner: AbstractBaseUser,
    administration: Administration,
    field: str,
    value: object,
    words: str,
) -> None:
    with pytest.raises(ActionRefused, match=words):
        make_challenge(challenge_owner, administration, **{field: value})

    assert not Challenge.objects.exists()


def test_a_challenge_closing_before_it_opens_is_refused(
    challenge_owner: AbstractBaseUser, administration: Administration
) -> None:
    now = timezone.now()
    with pytest.raises(ActionRefused, match="close after it opens"):
        make_challenge(challenge_owner, administration, opens_at=now, closes_at=now)


# ---- proposals, co-sponsors and moderation ------------------------------------------------


def test_a_proposal_opens_at_once_and_its_markup_is_gone(proposal: Proposal) -> None:
    assert proposal.status == Proposal.Status.OPEN
    assert proposal.title == "alert(1)Trees on Main Street"  # the tags are gone, the text stays
    assert proposal.published_at is not None
    assert proposals_public(challenge=proposal.challenge) == [proposal]


def test_co_sponsors_confirm_through_the_link_before_it_is_public(
    challenge_owner: AbstractBaseUser, administration: Administration, author: Citizen
) -> None:
    challenge = make_challenge(challenge_owner, administration, cosponsors_needed=2)
    proposal = services.proposal_submit(
        challenge=challenge, citizen=author, title="Benches", text="More benches in the park."
    )
    assert proposal.status == Proposal.Status.AWAITING_COSPONSORS
    assert proposals_public(challenge=challenge) == []
    first, second, third = citizens(3)

    with pytest.raises(ActionRefused, match="your own proposal"):
        services.proposal_cosponsor(token=proposal.cosponsor_token, citizen=author)
    services.proposal_cosponsor(token=proposal.cosponsor_token, citizen=first)
    with pytest.raises(ActionRefused, match="already co-sponsor"):
        services.proposal_cosponsor(token=proposal.cosponsor_token, citizen=first)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.AWAITING_COSPONSORS

    services.proposal_cosponsor(token=proposal.cosponsor_token, citizen=second)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.OPEN

    with pytest.raises(ActionRefused, match="link is used up"):
        services.proposal_cosponsor(token=proposal.cosponsor_token, citizen=third)
    assert proposal.cosponsorships.count() == 2
    with pytest.raises(ActionRefused, match="not valid"):
        services.proposal_cosponsor(token="forged", citizen=third)


def test_pre_moderation_holds_a_proposal_until_a_facilitator_approves_it(
    challenge_owner: AbstractBaseUser, administration: Administration, author: Citizen
) -> None:
    challenge = make_challenge(challenge_owner, administration, moderation="pre")
    proposal = services.proposal_submit(
        challenge=challenge, citizen=author, title="Benches", text="More benches."
    )
    assert proposal.status == Proposal.Status.HELD
    with pytest.raises(ActionRefused, match="waiting for review"):
        services.support_give(proposal_id=proposal.pk, citizen=citizens(1)[0])

    services.proposal_approve(user=challenge_owner, proposal_id=proposal.pk, reason="Fine")

    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.OPEN
    assert _kinds(challenge) == ["hold", "approve"]


def test_a_word_on_the_list_holds_a_proposal_in_post_moderation(
    challenge: Challenge, author: Citizen
) -> None:
    proposal = services.proposal_submit(
        challenge=challenge, citizen=author, title="Shit roads", text="Fix them."
    )

    assert proposal.status == Proposal.Status.HELD
    log = ChallengeLog.objects.get(challenge=challenge)
    assert log.detail == {"rule": "word_list", "words": ["shit*"]}


def test_only_the_challenges_facilitators_moderate(
    proposal: Proposal, administration: Administration
) -> None:
    from tests.factories import UserFactory

    stranger = UserFactory(username="stranger")
    with pytest.raises(ActionRefused, match="facilitators"):
        services.proposal_hide(user=stranger, proposal_id=proposal.pk)
    member = UserFactory(username="member")
    administration.members.add(member)

    services.proposal_hide(user=member, proposal_id=proposal.pk, reason="Off topic")

    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.HIDDEN
    assert proposals_public(challenge=proposal.challenge) == []


def test_three_flags_hold_a_proposal(proposal: Proposal) -> None:
    flaggers = citizens(3)
    for citizen in flaggers[:2]:
        services.proposal_flag(proposal_id=proposal.pk, citizen=citizen, reason="spam")
    with pytest.raises(ActionRefused, match="already reported"):
        services.proposal_flag(proposal_id=proposal.pk, citizen=flaggers[0], reason="spam")
    with pytest.raises(ActionRefused, match="Choose why"):
        services.proposal_flag(proposal_id=proposal.pk, citizen=flaggers[2], reason="bored")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.OPEN

    services.proposal_flag(proposal_id=proposal.pk, citizen=flaggers[2], reason="offensive")

    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.HELD


@pytest.mark.parametrize(
    ("title", "text", "words"),
    [
        ("x" * 121, "Fine", "at most 120"),
        ("Fine", "y" * 3001, "at most 3000"),
        ("", "Fine", "Write the title"),
        ("<b></b>", "Fine", "Write the title"),
        (["a list"], "Fine", "must be text"),
    ],
)
def test_bad_proposal_text_is_refused_and_nothing_stored(
    challenge: Challenge, author: Citizen, title: object, text: object, words: str
) -> None:
    with pytest.raises(ActionRefused, match=words):
        services.proposal_submit(challenge=challenge, citizen=author, title=title, text=text)

    assert not Proposal.objects.exists()


def test_a_proposal_photo_is_stored_without_its_position(
    challenge: Challenge, author: Citizen
) -> None:
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.GPSInfo)[2] = (55.0, 40.0, 34.0)
    upload = io.BytesIO()
    Image.new("RGB", (30, 20), "green").save(upload, format="JPEG", exif=exif.tobytes())
    upload.seek(0)

    proposal = services.proposal_submit(
        challenge=challenge, citizen=author, title="Park", text="A park.", photo=upload
    )

    stored = Image.open(io.BytesIO(bytes(proposal.photo or b"")))
    assert stored.format == "JPEG" and not stored.getexif()
    assert proposal.photo_type == "image/jpeg"


def test_a_photo_that_is_not_an_image_changes_nothing(
    challenge: Challenge, author: Citizen
) -> None:
    with pytest.raises(ActionRefused, match="not a photo"):
        services.proposal_submit(
            challenge=challenge,
            citizen=author,
            title="Park",
            text="A park.",
            photo=io.BytesIO(b"MZ\x90\x00 not a picture"),
        )

    assert not Proposal.objects.exists()


def test_proposals_cannot_be_written_after_closing(
    challenge_owner: AbstractBaseUser, administration: Administration, author: Citizen
) -> None:
    now = timezone.now()
    challenge = make_challenge(
        challenge_owner,
        administration,
        opens_at=now - timedelta(days=3),
        closes_at=now - timedelta(seconds=1),
    )
    with pytest.raises(ActionRefused, match="has closed"):
        services.proposal_submit(challenge=challenge, citizen=author, title="A", text="B")


def test_similar_proposals_are_found_while_writing(proposal: Proposal) -> None:
    found = proposals_similar(challenge=proposal.challenge, text="lime trees on main street")

    assert found == [proposal]
    assert proposals_similar(challenge=proposal.challenge, text="swimming pool hours") == []


# ---- support ----------------------------------------------------------------------------------


def test_support_is_counted_once_per_person_and_can_be_withdrawn(proposal: Proposal) -> None:
    citizen = citizens(1)[0]
    services.support_give(proposal_id=proposal.pk, citizen=citizen)

    with pytest.raises(ActionRefused, match="already support"):
        services.support_give(proposal_id=proposal.pk, citizen=citizen)
    proposal.refresh_from_db()
    assert proposal.support_count == 1 == Support.objects.count()

    services.support_withdraw(proposal_id=proposal.pk, citizen=citizen)
    proposal.refresh_from_db()
    assert proposal.support_count == 0 == Support.objects.count()
    with pytest.raises(ActionRefused, match="do not support"):
        services.support_withdraw(proposal_id=proposal.pk, citizen=citizen)


def test_the_threshold_is_recorded_once_and_never_undone(proposal: Proposal) -> None:
    first, second, third, fourth = citizens(4)
    for citizen in (first, second, third):
        services.support_give(proposal_id=proposal.pk, citizen=citizen)
    proposal.refresh_from_db()
    reached_at = proposal.threshold_reached_at
    assert proposal.status == Proposal.Status.THRESHOLD_REACHED and reached_at is not None

    services.support_withdraw(proposal_id=proposal.pk, citizen=first)
    services.support_give(proposal_id=proposal.pk, citizen=fourth)
    services.support_give(proposal_id=proposal.pk, citizen=first)

    proposal.refresh_from_db()
    assert proposal.threshold_reached_at == reached_at
    assert proposal.status == Proposal.Status.THRESHOLD_REACHED
    assert proposal.support_count == 4
    assert _kinds(proposal.challenge).count("threshold") == 1


def test_the_author_hears_of_each_third_once(
    challenge_owner: AbstractBaseUser, administration: Administration, author: Citizen
) -> None:
    challenge = make_challenge(challenge_owner, administration, threshold_value=6)
    proposal = services.proposal_submit(challenge=challenge, citizen=author, title="A", text="B")
    told = []
    for citizen in citizens(6):
        told.append(services.support_give(proposal_id=proposal.pk, citizen=citizen).milestone_told)

    assert told == [0, 33, 33, 66, 66, 100]


def test_the_projected_date_follows_the_pace(proposal: Proposal) -> None:
    proposal.published_at = timezone.now() - timedelta(days=2)
    proposal.save()
    services.support_give(proposal_id=proposal.pk, citizen=citizens(1)[0])
    proposal.refresh_from_db()

    progress = proposal_progress(proposal=proposal)

    # One supporter in two days, two more to go: about four days from now.
    assert progress.projected_at is not None
    days = (progress.projected_at - timezone.now()) / timedelta(days=1)
    assert 3.9 < days < 4.1
    assert progress.projected_before_closing and progress.percent == 33


@pytest.mark.parametrize(
    "status", ["held", "withdrawn", "hidden", "expired", "awaiting_cosponsors"]
)
def test_support_is_refused_where_the_proposal_is_not_open(proposal: Proposal, status: str) -> None:
    Proposal.objects.filter(pk=proposal.pk).update(status=status)

    with pytest.raises(ActionRefused) as refused:
        services.support_give(proposal_id=proposal.pk, citizen=citizens(1)[0])

    assert refused.value.code == "not_supportable"
    assert not Support.objects.exists()


def test_support_after_closing_is_refused(proposal: Proposal) -> None:
    citizen = citizens(1)[0]
    services.support_give(proposal_id=proposal.pk, citizen=citizen)
    Challenge.objects.filter(pk=proposal.challenge_id).update(
        closes_at=timezone.now() - timedelta(seconds=1)
    )

    with pytest.raises(ActionRefused, match="has closed"):
        services.support_give(proposal_id=proposal.pk, citizen=citizens(1)[0])
    with pytest.raises(ActionRefused, match="has closed"):
        services.support_withdraw(proposal_id=proposal.pk, citizen=citizen)
    proposal.refresh_from_db()
    assert proposal.support_count == 1


def test_a_verified_challenge_refuses_support_without_an_eid(
    challenge_owner: AbstractBaseUser, administration: Administration, author: Citizen
) -> None:
    challenge = make_challenge(challenge_owner, administration, supporters="verified")
    proposal = services.proposal_submit(challenge=challenge, citizen=author, title="A", text="B")
    first, second = citizens(2)

    with pytest.raises(ActionRefused) as refused:
        services.support_give(proposal_id=proposal.pk, citizen=first)
    assert refused.value.code == "verification_required"

    services.support_give(proposal_id=proposal.pk, citizen=first, person_hash="a" * 64)
    # The same person from another phone is still one person.
    with pytest.raises(ActionRefused, match="already support"):
        services.support_give(proposal_id=proposal.pk, citizen=second, person_hash="a" * 64)
    proposal.refresh_from_db()
    assert proposal.support_count == 1


@pytest.mark.parametrize("proposal_id", [None, "1", 1.0, True, -1, 10**30])
def test_support_for_no_such_proposal_is_refused(proposal: Proposal, proposal_id: object) -> None:
    with pytest.raises(ActionRefused) as refused:
        services.support_give(proposal_id=proposal_id, citizen=citizens(1)[0])

    assert refused.value.code == "not_found"


# ---- by the clock ---------------------------------------------------------------------------


def test_a_reached_proposal_is_forwarded_once_with_a_mail_to_the_administration(
    proposal: Proposal, django_capture_on_commit_callbacks: object
) -> None:
    for citizen in citizens(3):
        services.support_give(proposal_id=proposal.pk, citizen=citizen)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        assert services.proposals_forward_due() == 1
    assert services.proposals_forward_due() == 0

    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.FORWARDED and proposal.forwarded_at is not None
    assert [m.to for m in mail.outbox] == [["culture@example.org"]]
    assert "Trees on Main Street" in mail.outbox[0].subject
    # A full link the administration can open from its mail, not a bare path.
    assert f"http://127.0.0.1:8000{proposal.get_absolute_url()}" in mail.outbox[0].body
    assert _kinds(proposal.challenge).count("forward") == 1


def test_at_closing_proposals_below_the_threshold_expire_once(
    proposal: Proposal, author: Citizen
) -> None:
    reached = services.proposal_submit(
        challenge=proposal.challenge, citizen=author, title="Bikes", text="Bike lanes."
    )
    for citizen in citizens(3):
        services.support_give(proposal_id=reached.pk, citizen=citizen)
    assert services.proposals_expire_due() == 0

    later = proposal.challenge.closes_at + timedelta(seconds=1)
    assert services.proposals_expire_due(now=later) == 1
    assert services.proposals_expire_due(now=later) == 0

    proposal.refresh_from_db()
    reached.refresh_from_db()
    assert proposal.status == Proposal.Status.EXPIRED
    assert reached.status == Proposal.Status.THRESHOLD_REACHED
    assert _kinds(proposal.challenge).count("expire") == 1


def test_the_challenge_log_is_append_only(challenge: Challenge) -> None:
    """A line of the challenge's log is evidence: it cannot be changed or deleted."""
    from challenges.models import ChallengeLog
    from workshops.append_only import AppendOnlyError

    line = ChallengeLog.objects.create(challenge=challenge, kind=ChallengeLog.Kind.HOLD)
    with pytest.raises(AppendOnlyError):
        line.save()
    with pytest.raises(AppendOnlyError):
        line.delete()
    with pytest.raises(AppendOnlyError):
        ChallengeLog.objects.filter(pk=line.pk).update(reason="changed")
    with pytest.raises(AppendOnlyError):
        ChallengeLog.objects.bulk_update([line], ["reason"])
    with pytest.raises(AppendOnlyError):
        ChallengeLog.objects.all().delete()
