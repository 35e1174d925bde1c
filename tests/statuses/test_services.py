"""Status changes: sensible transitions only, signed, and told to the people behind the item."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from PIL import Image

from administrations.models import Administration
from moderation.services import participant_erase_self, workshop_erase_personal_data
from statuses.models import (
    ItemStatus,
    Notice,
    Receipt,
    StatusChange,
    StatusPhoto,
    Subscription,
)
from statuses.selectors import receipt_items, receipts_behind, timeline_of
from statuses.services import (
    notices_create,
    receipt_for_participant,
    receipt_revoke,
    status_change,
)
from tests.factories import HOSTILE_HTML, actor_for
from tests.statuses.conftest import Closed
from workshops.append_only import AppendOnlyError
from workshops.errors import ActionRefused
from workshops.models import Workshop
from workshops.phases import Phase

pytestmark = pytest.mark.django_db


def change(
    user: Any, item: Any, status: str, administration: Administration, **extra: Any
) -> StatusChange:
    return status_change(
        user=user, item=item, status=status, administration=administration, **extra
    )


def test_an_item_moves_forward_and_its_timeline_is_dated_and_signed(
    closed: Closed, parks: Administration, parks_member: AbstractBaseUser, culture: Administration
) -> None:
    change(parks_member, closed.proposition, "under_review", parks)
    change(parks_member, closed.proposition, "forwarded", parks, forward_to=culture)
    steps = timeline_of(item=closed.proposition)
    assert [step.status for step in steps] == ["under_review", "forwarded"]
    assert steps[1].administration == parks and steps[1].forwarded_to == culture
    assert steps[1].member_email == parks_member.email
    current = ItemStatus.objects.get()
    assert current.status == "forwarded" and current.administration == culture


def test_only_the_administration_it_was_forwarded_to_answers_for_it(
    closed: Closed,
    parks: Administration,
    parks_member: AbstractBaseUser,
    culture: Administration,
    culture_member: AbstractBaseUser,
) -> None:
    change(parks_member, closed.proposition, "forwarded", parks, forward_to=culture)
    with pytest.raises(ActionRefused) as refused:
        change(parks_member, closed.proposition, "accepted", parks)
    assert refused.value.code == "forbidden"
    # Nor may a member sign for an administration they do not belong to.
    with pytest.raises(ActionRefused):
        change(parks_member, closed.proposition, "accepted", culture)
    change(culture_member, closed.proposition, "accepted", culture, expected_on="2027-03-01")
    assert ItemStatus.objects.get().expected_on.isoformat() == "2027-03-01"


@pytest.mark.parametrize(
    ("path", "refused", "code"),
    [
        ([], "done", "conflict"),
        (["under_review"], "in_progress", "conflict"),
        (["declined"], "accepted", "conflict"),
        ([], "reopened", "invalid"),
    ],
)
def test_a_transition_that_makes_no_sense_is_refused_and_changes_nothing(
    closed: Closed,
    parks: Administration,
    parks_member: AbstractBaseUser,
    path: list[str],
    refused: str,
    code: str,
) -> None:
    for status in path:
        note = "Not ours to do" if status in ("declined", "done") else ""
        change(parks_member, closed.proposition, status, parks, note=note)
    before = StatusChange.objects.count()
    with pytest.raises(ActionRefused) as error:
        change(parks_member, closed.proposition, refused, parks, note="x")
    assert error.value.code == code
    assert StatusChange.objects.count() == before


def test_declined_needs_a_reason_and_done_a_note(
    closed: Closed, parks: Administration, parks_member: AbstractBaseUser
) -> None:
    with pytest.raises(ActionRefused, match="reason"):
        change(parks_member, closed.proposition, "declined", parks, note="   ")
    change(parks_member, closed.proposition, "accepted", parks)
    with pytest.raises(ActionRefused, match="what was done"):
        change(parks_member, closed.proposition, "done", parks)
    assert list(StatusChange.objects.values_list("status", flat=True)) == ["accepted"]
    made = change(parks_member, closed.proposition, "done", parks, note=f"Opened {HOSTILE_HTML}")
    assert "<script>" not in made.note and "Opened" in made.note


def test_progress_and_dates_are_checked(
    closed: Closed, parks: Administration, parks_member: AbstractBaseUser
) -> None:
    change(parks_member, closed.proposition, "accepted", parks)
    for progress, expected in [("150", ""), ("-3", ""), ("half", ""), ("40", "2027-13-40")]:
        with pytest.raises(ActionRefused):
            change(
                parks_member,
                closed.proposition,
                "in_progress",
                parks,
                progress=progress,
                expected_on=expected,
            )
    change(parks_member, closed.proposition, "in_progress", parks, progress="40")
    change(parks_member, closed.proposition, "in_progress", parks, progress=70)
    assert ItemStatus.objects.get().progress == 70


def test_a_running_workshops_items_carry_no_status(
    closed: Closed, parks: Administration, parks_member: AbstractBaseUser
) -> None:
    Workshop.objects.filter(pk=closed.workshop.pk).update(phase=Phase.PROPOSE)
    closed.proposition.workshop.refresh_from_db()
    with pytest.raises(ActionRefused) as refused:
        change(parks_member, closed.proposition, "under_review", parks)
    assert refused.value.code == "not_found"


def test_someone_outside_every_administration_cannot_change_a_status(
    closed: Closed, parks: Administration, stranger: AbstractBaseUser
) -> None:
    with pytest.raises(ActionRefused) as refused:
        change(stranger, closed.proposition, "under_review", parks)
    assert refused.value.code == "forbidden"
    assert not ItemStatus.objects.exists()


def test_the_status_log_is_append_only(
    closed: Closed, parks: Administration, parks_member: AbstractBaseUser
) -> None:
    made = change(parks_member, closed.proposition, "under_review", parks)
    with pytest.raises(AppendOnlyError):
        made.save()
    with pytest.raises(AppendOnlyError):
        made.delete()
    with pytest.raises(AppendOnlyError):
        StatusChange.objects.all().update(note="rewritten")
    with pytest.raises(AppendOnlyError):
        StatusChange.objects.all().delete()


def test_the_people_behind_a_proposition_are_its_authors_and_voters(closed: Closed) -> None:
    behind = set(receipts_behind(item=closed.proposition))
    assert behind == {closed.receipts["author"], closed.receipts["voter"]}
    assert set(receipts_behind(item=closed.idea)) == behind
    # The bystander's own idea is theirs alone.
    keys = [row.key for row in receipt_items(receipt=closed.receipts["bystander"])]
    assert keys == [f"idea-{closed.workshop.ideas.get(text='Free wifi').pk}"]
    author_keys = {row.key for row in receipt_items(receipt=closed.receipts["author"])}
    assert author_keys == {
        f"idea-{closed.idea.pk}",
        f"cluster-{closed.cluster.pk}",
        f"proposition-{closed.proposition.pk}",
    }


def test_a_change_leaves_a_notice_on_each_receipt_behind_it_once(
    closed: Closed, parks: Administration, parks_member: AbstractBaseUser
) -> None:
    made = change(parks_member, closed.proposition, "accepted", parks)
    assert notices_create(change=made) == 2
    notices_create(change=made)
    assert set(Notice.objects.values_list("receipt_id", flat=True)) == {
        closed.receipts["author"].pk,
        closed.receipts["voter"].pk,
    }
    assert Notice.objects.count() == 2


def test_a_participant_keeps_one_receipt_until_they_revoke_it(closed: Closed) -> None:
    first = closed.receipts["author"]
    assert receipt_for_participant(participant=closed.author) == first
    fresh = receipt_revoke(receipt=first)
    assert fresh is not None and fresh.token != first.token
    assert receipt_for_participant(participant=closed.author) == fresh
    with pytest.raises(ActionRefused):
        receipt_revoke(receipt=Receipt.objects.get(pk=first.pk))


def test_receipts_and_addresses_go_with_the_participants_erasure(closed: Closed) -> None:
    Subscription.objects.create(receipt=closed.receipts["author"], email="ada@example.org")
    actor = actor_for("citizen", closed.workshop, participant=closed.author)
    participant_erase_self(actor=actor)
    assert not Receipt.objects.filter(participant=closed.author).exists()
    assert not Subscription.objects.exists()
    assert Receipt.objects.filter(participant=closed.voter).exists()


def test_receipts_go_when_the_workshops_retention_ends(closed: Closed) -> None:
    workshop_erase_personal_data(workshop=closed.workshop)
    assert not Receipt.objects.exists()


def jpeg_with_gps() -> io.BytesIO:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x010E] = "Taken at 55.676 N, 12.568 E"  # a description with a position
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    out.seek(0)
    return out


def test_done_keeps_a_photo_without_its_metadata_and_refuses_what_is_no_image(
    closed: Closed, parks: Administration, parks_member: AbstractBaseUser
) -> None:
    change(parks_member, closed.proposition, "accepted", parks)
    with pytest.raises(ActionRefused) as refused:
        change(
            parks_member,
            closed.proposition,
            "done",
            parks,
            note="Benches are up",
            photo=io.BytesIO(b"%PDF-1.4 not a photo"),
        )
    assert refused.value.code == "invalid_photo"
    assert list(StatusChange.objects.values_list("status", flat=True)) == ["accepted"]
    with pytest.raises(ActionRefused):
        change(parks_member, closed.proposition, "in_progress", parks, photo=jpeg_with_gps())
    done = change(
        parks_member,
        closed.proposition,
        "done",
        parks,
        note="Benches are up",
        photo=jpeg_with_gps(),
    )
    stored = StatusPhoto.objects.get(change=done)
    kept = Image.open(io.BytesIO(bytes(stored.data)))
    assert kept.size == (64, 48) and stored.content_type == "image/jpeg"
    assert not kept.getexif()
