"""Every write of the challenges: check, write, log, and publish the change after commit."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Exists, F, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from administrations.models import Administration
from ideas.models import Cluster, Idea
from moderation.models import Flag
from moderation.services import word_list_matches
from moderation.wordlists import default_word_list
from workshops.errors import ActionRefused
from workshops.limits import limit_or_refuse
from workshops.links import site_link
from workshops.models import Workshop
from workshops.photos import photo_clean
from workshops.sanitize import clean_text

from . import events, signals
from .models import (
    Challenge,
    ChallengeLog,
    Citizen,
    Cosponsorship,
    Proposal,
    ProposalFlag,
    Support,
)
from .selectors import SESSION_CITIZEN_KEY, challenge_may_manage

logger = logging.getLogger(__name__)

TITLE_MAX_LENGTH = 120
TEXT_MAX_LENGTH = 3000
AUTHOR_NAME_MAX_LENGTH = 60
CHALLENGE_TITLE_MAX_LENGTH = 200
QUESTION_MAX_LENGTH = 500
CONTEXT_MAX_LENGTH = 4000
REASON_MAX_LENGTH = 500
THRESHOLD_MAX = 10_000_000
COSPONSORS_MAX = 100
# Days after closing that a challenge keeps its personal data, as for the model's default.
RETENTION_DAYS_DEFAULT = 180
RETENTION_DAYS_MAX = 3650
# The author hears of these shares of the threshold, once each.
MILESTONES = (33, 66, 100)
# Flags from different citizens that hold a published proposal for review.
FLAGS_TO_HOLD = 3


# ---- citizens ---------------------------------------------------------------------------


def citizen_for_session(session: Any) -> Citizen:
    """The phone's citizen, created on its first write and kept in its session."""
    key = session.get(SESSION_CITIZEN_KEY)
    if isinstance(key, str):
        citizen = Citizen.objects.filter(key=key).first()
        if citizen is not None:
            return citizen
    citizen = Citizen.objects.create()
    session[SESSION_CITIZEN_KEY] = citizen.key
    return citizen


def citizen_remember(*, citizen: Citizen, session: Any) -> None:
    """Keep a citizen stored by its first write (a support) in the phone's session."""
    session[SESSION_CITIZEN_KEY] = citizen.key


def citizen_forget(*, citizen: Citizen, session: Any) -> None:
    """Undo `citizen_for_session` for a phone whose first write was refused: nothing is left."""
    if session.get(SESSION_CITIZEN_KEY) == citizen.key:
        del session[SESSION_CITIZEN_KEY]
    Citizen.objects.filter(pk=citizen.pk).delete()


# ---- checking what was typed ----------------------------------------------------------


def _text(raw: object, *, label: str, limit: int, required: bool = True, lines: bool = True) -> str:
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raise ActionRefused("invalid", _("%(field)s must be text.") % {"field": label})
    text = clean_text(raw, multiline=lines)
    if required and not text:
        raise ActionRefused("invalid", _("Write the %(field)s.") % {"field": label.lower()})
    if len(text) > limit:
        raise ActionRefused(
            "invalid",
            ngettext(
                "%(field)s can be at most %(limit)d character.",
                "%(field)s can be at most %(limit)d characters.",
                limit,
            )
            % {"field": label, "limit": limit},
        )
    return text


def _whole(raw: object, *, label: str, low: int, high: int) -> int:
    if isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) < 12:
        raw = int(raw.strip())
    if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
        raise ActionRefused(
            "invalid",
            ngettext(
                "%(field)s must be a whole number from %(low)d to %(high)d.",
                "%(field)s must be a whole number from %(low)d to %(high)d.",
                high,
            )
            % {"field": label, "low": low, "high": high},
        )
    return raw


def _log(
    *,
    challenge: Challenge,
    kind: str,
    proposal: Proposal | None = None,
    user: AbstractBaseUser | AnonymousUser | None = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    signed_in = user is not None and user.is_authenticated
    ChallengeLog.objects.create(
        challenge=challenge,
        kind=kind,
        facilitator_id=user.pk if signed_in and user is not None else None,
        facilitator_email=(getattr(user, "email", "") or "") if signed_in else "",
        proposal_number=proposal.pk if proposal is not None else None,
        reason=reason,
        detail=detail or {},
    )


# ---- challenges -------------------------------------------------------------------------


def challenge_create(
    *,
    user: AbstractBaseUser,
    title: object,
    question: object,
    context: object = "",
    language: str = settings.LANGUAGE_CODE,
    opens_at: datetime,
    closes_at: datetime,
    threshold_kind: str = Challenge.ThresholdKind.NUMBER,
    threshold_value: object,
    cosponsors_needed: object = 0,
    moderation: str = Challenge.Moderation.POST,
    supporters: str = Challenge.Supporters.OPEN,
    residence_required: bool = False,
    administration: Administration,
    retention_days: object = RETENTION_DAYS_DEFAULT,
) -> Challenge:
    """A new challenge; the threshold per 1,000 inhabitants becomes a number now."""
    if not user.is_authenticated:
        raise ActionRefused("forbidden", _("Sign in to create a challenge."))
    if closes_at <= opens_at:
        raise ActionRefused("invalid", _("A challenge must close after it opens."))
    if language not in dict(settings.LANGUAGES):
        raise ActionRefused("invalid", _("That language is not available."))
    if threshold_kind not in Challenge.ThresholdKind.values:
        raise ActionRefused("invalid", _("Choose how the threshold is counted."))
    if moderation not in Challenge.Moderation.values:
        raise ActionRefused("invalid", _("Choose pre- or post-moderation."))
    if supporters not in Challenge.Supporters.values:
        raise ActionRefused("invalid", _("Choose who may support."))
    if residence_required and supporters != Challenge.Supporters.VERIFIED:
        raise ActionRefused(
            "invalid", _("Residence can only be checked when supporters sign in with an eID.")
        )
    value = _whole(threshold_value, label=_("Threshold"), low=1, high=THRESHOLD_MAX)
    population = int(settings.SAMSKAB["MUNICIPALITY_POPULATION"])
    if threshold_kind == Challenge.ThresholdKind.PER_THOUSAND and population <= 0:
        raise ActionRefused(
            "invalid",
            _(
                "The municipality's population is not set, so a threshold per 1,000 inhabitants "
                "cannot be counted. Give a number of supporters instead."
            ),
        )
    challenge = Challenge.objects.create(
        title=_text(title, label=_("Title"), limit=CHALLENGE_TITLE_MAX_LENGTH, lines=False),
        question=_text(question, label=_("Question"), limit=QUESTION_MAX_LENGTH, lines=False),
        context=_text(context, label=_("Context"), limit=CONTEXT_MAX_LENGTH, required=False),
        language=language,
        opens_at=opens_at,
        closes_at=closes_at,
        threshold_kind=threshold_kind,
        threshold_value=value,
        threshold=Challenge.threshold_for(threshold_kind, value, population),
        cosponsors_needed=_whole(
            cosponsors_needed, label=_("Co-sponsors"), low=0, high=COSPONSORS_MAX
        ),
        moderation=moderation,
        word_list=default_word_list(language),
        supporters=supporters,
        residence_required=residence_required,
        administration=administration,
        retention_days=_whole(
            retention_days,
            label=_("Days to keep personal data"),
            low=1,
            high=RETENTION_DAYS_MAX,
        ),
        owner_id=user.pk,
    )
    return challenge


# ---- proposals ----------------------------------------------------------------------------


def _open_challenge(challenge: Challenge) -> None:
    now = timezone.now()
    if now < challenge.opens_at:
        raise ActionRefused("closed", _("This challenge has not opened yet."))
    if challenge.has_closed(now):
        raise ActionRefused("closed", _("This challenge has closed."))


@transaction.atomic
def proposal_submit(
    *,
    challenge: Challenge,
    citizen: Citizen,
    title: object,
    text: object,
    author_name: object = "",
    photo: IO[bytes] | None = None,
    address: str | None = None,
    source_workshop: Workshop | None = None,
    source_cluster: Cluster | None = None,
    source_idea: Idea | None = None,
) -> Proposal:
    """A citizen's new proposal: waits for co-sponsors, for review, or opens at once."""
    _open_challenge(challenge)
    clean_title = _text(title, label=_("Title"), limit=TITLE_MAX_LENGTH, lines=False)
    clean_body = _text(text, label=_("Proposal"), limit=TEXT_MAX_LENGTH)
    name = _text(
        author_name, label=_("Name"), limit=AUTHOR_NAME_MAX_LENGTH, required=False, lines=False
    )
    cleaned_photo = photo_clean(photo) if photo is not None else None
    rates: dict[str, str] = settings.SAMSKAB_RATE_LIMITS
    limit_or_refuse(key=f"proposal:citizen:{citizen.pk}", rate=rates["proposal"])
    if address:
        limit_or_refuse(key=f"proposal:address:{address}", rate=rates["proposal_per_address"])
    proposal = Proposal(
        challenge=challenge,
        title=clean_title,
        text=clean_body,
        author=citizen,
        author_name=name,
        status=Proposal.Status.AWAITING_COSPONSORS,
        source_workshop=source_workshop,
        source_cluster=source_cluster,
        source_idea=source_idea,
    )
    if cleaned_photo is not None:
        proposal.photo = cleaned_photo.file.read()
        proposal.photo_type = cleaned_photo.content_type
    proposal.save()
    if challenge.cosponsors_needed == 0:
        _after_cosponsors(proposal)
    return proposal


def _after_cosponsors(proposal: Proposal) -> None:
    """Enough co-sponsors (or none needed): hold for review, or open for support."""
    challenge = proposal.challenge
    words = word_list_matches(
        text=f"{proposal.title}\n{proposal.text}\n{proposal.author_name}",
        word_list=challenge.word_list,
    )
    if words or challenge.moderation == Challenge.Moderation.PRE:
        proposal.status = Proposal.Status.HELD
        proposal.save(update_fields=["status"])
        detail: dict[str, Any] = (
            {"rule": "word_list", "words": words} if words else {"rule": "pre_moderation"}
        )
        _log(challenge=challenge, kind=ChallengeLog.Kind.HOLD, proposal=proposal, detail=detail)
        return
    _publish(proposal)


def _publish(proposal: Proposal, *, user: AbstractBaseUser | AnonymousUser | None = None) -> None:
    proposal.status = Proposal.Status.OPEN
    proposal.published_at = proposal.published_at or timezone.now()
    proposal.save(update_fields=["status", "published_at"])
    _log(challenge=proposal.challenge, kind=ChallengeLog.Kind.PUBLISH, proposal=proposal, user=user)
    events.proposal_changed(proposal)


@transaction.atomic
def proposal_cosponsor(*, token: object, citizen: Citizen) -> Proposal:
    """Confirm a co-sponsorship through the author's link; once per citizen, never the author."""
    if not isinstance(token, str) or not token or len(token) > 64:
        raise ActionRefused("not_found", _("This co-sponsor link is not valid."))
    proposal = (
        Proposal.objects.select_for_update()
        .select_related("challenge")
        .filter(cosponsor_token=token)
        .first()
    )
    if proposal is None:
        raise ActionRefused("not_found", _("This co-sponsor link is not valid."))
    _open_challenge(proposal.challenge)
    if proposal.status != Proposal.Status.AWAITING_COSPONSORS:
        raise ActionRefused(
            "conflict", _("This proposal already has its co-sponsors; the link is used up.")
        )
    if proposal.author_id == citizen.pk:
        raise ActionRefused("forbidden", _("You cannot co-sponsor your own proposal."))
    try:
        with transaction.atomic():
            Cosponsorship.objects.create(proposal=proposal, citizen=citizen)
    except IntegrityError:
        raise ActionRefused("conflict", _("You already co-sponsor this proposal.")) from None
    if proposal.cosponsorships.count() >= proposal.challenge.cosponsors_needed:
        _after_cosponsors(proposal)
    return proposal


def _proposal_for_update(proposal_id: object) -> Proposal:
    if isinstance(proposal_id, bool) or not isinstance(proposal_id, int):
        raise ActionRefused("not_found", _("That proposal does not exist."))
    proposal = (
        Proposal.objects.select_for_update()
        .select_related("challenge")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise ActionRefused("not_found", _("That proposal does not exist."))
    return proposal


@transaction.atomic
def proposal_withdraw(*, proposal_id: object, citizen: Citizen) -> Proposal:
    """The author takes the proposal back while the challenge is open."""
    proposal = _proposal_for_update(proposal_id)
    if proposal.author_id != citizen.pk:
        raise ActionRefused("forbidden", _("Only its author can withdraw a proposal."))
    _open_challenge(proposal.challenge)
    if proposal.status in {Proposal.Status.WITHDRAWN, Proposal.Status.EXPIRED}:
        raise ActionRefused("conflict", _("This proposal is no longer open."))
    proposal.status = Proposal.Status.WITHDRAWN
    proposal.save(update_fields=["status"])
    _log(challenge=proposal.challenge, kind=ChallengeLog.Kind.WITHDRAW, proposal=proposal)
    events.proposal_changed(proposal)
    return proposal


# ---- moderation -------------------------------------------------------------------------


def _reason(raw: object) -> str:
    return _text(raw, label=_("Reason"), limit=REASON_MAX_LENGTH, required=False)


def _status_after_review(proposal: Proposal) -> str:
    if proposal.forwarded_at is not None:
        return Proposal.Status.FORWARDED
    if proposal.threshold_reached_at is not None:
        return Proposal.Status.THRESHOLD_REACHED
    return Proposal.Status.OPEN


@transaction.atomic
def proposal_approve(
    *, user: AbstractBaseUser | AnonymousUser, proposal_id: object, reason: object = ""
) -> Proposal:
    """A held proposal goes public (or back to where it stood before it was held)."""
    proposal = _proposal_for_update(proposal_id)
    if not challenge_may_manage(challenge=proposal.challenge, user=user):
        raise ActionRefused("forbidden", _("Only the challenge's facilitators can do that."))
    if proposal.status not in {Proposal.Status.HELD, Proposal.Status.HIDDEN}:
        raise ActionRefused("conflict", _("This proposal is not waiting for review."))
    why = _reason(reason)
    ProposalFlag.objects.filter(proposal=proposal).delete()
    proposal.status = _status_after_review(proposal)
    proposal.published_at = proposal.published_at or timezone.now()
    proposal.save(update_fields=["status", "published_at"])
    _log(
        challenge=proposal.challenge,
        kind=ChallengeLog.Kind.APPROVE,
        proposal=proposal,
        user=user,
        reason=why,
    )
    events.proposal_changed(proposal)
    return proposal


@transaction.atomic
def proposal_hide(
    *, user: AbstractBaseUser | AnonymousUser, proposal_id: object, reason: object = ""
) -> Proposal:
    """Take a proposal off the public pages; its supports stay, frozen."""
    proposal = _proposal_for_update(proposal_id)
    if not challenge_may_manage(challenge=proposal.challenge, user=user):
        raise ActionRefused("forbidden", _("Only the challenge's facilitators can do that."))
    if proposal.status in {Proposal.Status.HIDDEN, Proposal.Status.WITHDRAWN}:
        raise ActionRefused("conflict", _("This proposal is not shown anyway."))
    why = _reason(reason)
    proposal.status = Proposal.Status.HIDDEN
    proposal.save(update_fields=["status"])
    _log(
        challenge=proposal.challenge,
        kind=ChallengeLog.Kind.HIDE,
        proposal=proposal,
        user=user,
        reason=why,
    )
    events.proposal_changed(proposal)
    return proposal


@transaction.atomic
def proposal_flag(*, proposal_id: object, citizen: Citizen, reason: object) -> Proposal:
    """A citizen reports a proposal; enough reports hold it for a facilitator."""
    proposal = _proposal_for_update(proposal_id)
    if reason not in Flag.Reason.values:
        raise ActionRefused("invalid", _("Choose why this does not belong here."))
    if proposal.status not in Proposal.SUPPORTABLE:
        raise ActionRefused("conflict", _("This proposal is not open."))
    limit_or_refuse(key=f"flag:citizen:{citizen.pk}", rate=settings.SAMSKAB_RATE_LIMITS["flag"])
    try:
        with transaction.atomic():
            ProposalFlag.objects.create(proposal=proposal, citizen=citizen, reason=str(reason))
    except IntegrityError:
        raise ActionRefused("conflict", _("You already reported this proposal.")) from None
    if proposal.flags.count() >= FLAGS_TO_HOLD:
        proposal.status = Proposal.Status.HELD
        proposal.save(update_fields=["status"])
        _log(
            challenge=proposal.challenge,
            kind=ChallengeLog.Kind.HOLD,
            proposal=proposal,
            detail={"rule": "flags", "flags": FLAGS_TO_HOLD},
        )
        events.proposal_changed(proposal)
    return proposal


# ---- support --------------------------------------------------------------------------------


def _supportable(proposal: Proposal) -> None:
    if proposal.status == Proposal.Status.HELD:
        raise ActionRefused("not_supportable", _("This proposal is waiting for review."))
    if proposal.status not in Proposal.SUPPORTABLE:
        raise ActionRefused("not_supportable", _("This proposal is not open for support."))
    if proposal.challenge.has_closed():
        raise ActionRefused("closed", _("This challenge has closed; support is no longer counted."))
    if timezone.now() < proposal.challenge.opens_at:
        raise ActionRefused("closed", _("This challenge has not opened yet."))


def support_give(
    *,
    proposal_id: object = None,
    proposal: Proposal | None = None,
    citizen: Citizen,
    person_hash: str | None = None,
    address: str | None = None,
) -> Proposal:
    """Count one person's support; the one that reaches the threshold records it, once.

    `proposal`, when the caller has read it (with its challenge), saves reading it
    again by `proposal_id`. `citizen` may be new and unsaved (a phone's first write):
    it is stored together with its support, and not at all when the support is refused.
    `person_hash` is the keyed hash of a verified eID subject (challenges/eid.py);
    a verified challenge refuses support without one.

    Supports to one proposal never wait on each other for more than the count's own
    statement: the support row and the count move together in one statement (see
    `_counted`), the threshold and the author's milestones are claimed afterwards by
    conditional updates that only one support can win.
    """
    if proposal is None:
        proposal = _proposal_to_count(proposal_id)
    _supportable(proposal)
    verified = proposal.challenge.supporters == Challenge.Supporters.VERIFIED
    if verified and not person_hash:
        raise ActionRefused(
            "verification_required", _("Sign in with your eID to support this proposal.")
        )
    if not verified:
        person_hash = None
        if address:
            limit_or_refuse(
                key=f"support:address:{address}",
                rate=settings.SAMSKAB_RATE_LIMITS["support_per_address"],
            )
    if not _counted(proposal, citizen=citizen, person_hash=person_hash, step=1):
        _refuse_if_erased(citizen)
        supports = Support.objects.filter(proposal=proposal)
        if (citizen.pk is not None and supports.filter(citizen=citizen).exists()) or (
            person_hash and supports.filter(person_hash=person_hash).exists()
        ):
            raise ActionRefused("already_supported", _("You already support this proposal."))
        raise ActionRefused("not_supportable", _("This proposal is not open for support."))
    milestone = _milestones_claim(proposal)
    _threshold_claim(proposal)
    events.support_changed(proposal, milestone=milestone)
    return proposal


def support_withdraw(
    *, proposal_id: object = None, proposal: Proposal | None = None, citizen: Citizen
) -> Proposal:
    """Take one's support back while the proposal is open; a reached threshold stays reached."""
    if proposal is None:
        proposal = _proposal_to_count(proposal_id)
    _supportable(proposal)
    if not _counted(proposal, citizen=citizen, person_hash=None, step=-1):
        _refuse_if_erased(citizen)
        if Support.objects.filter(proposal=proposal, citizen=citizen).exists():
            raise ActionRefused("not_supportable", _("This proposal is not open for support."))
        raise ActionRefused("not_supported", _("You do not support this proposal."))
    events.support_changed(proposal, milestone=None)
    return proposal


def _refuse_if_erased(citizen: Citizen) -> None:
    """Refuse a phone whose citizen erased their data while its support was on its way.

    The phone read its citizen before the erasure committed; its support then finds
    the citizen gone (the count's statement takes the citizen's row first, and an
    erasure holds it until it has committed), so nothing was counted. Its session
    names a citizen that no longer exists: a next support counts as a new phone's.
    """
    if citizen.pk is not None and not Citizen.objects.filter(pk=citizen.pk).exists():
        raise ActionRefused(
            "erased",
            _(
                "Your data was erased at the same moment, so this support was not counted. "
                "You can support again."
            ),
        )


def _proposal_to_count(proposal_id: object) -> Proposal:
    if isinstance(proposal_id, bool) or not isinstance(proposal_id, int):
        raise ActionRefused("not_found", _("That proposal does not exist."))
    proposal = Proposal.objects.select_related("challenge").filter(pk=proposal_id).first()
    if proposal is None:
        raise ActionRefused("not_found", _("That proposal does not exist."))
    return proposal


# What a count's statement reads back into the proposal.
_COUNTED_FIELDS = ("support_count", "revision", "status", "threshold_reached_at", "milestone_told")


def _counted(proposal: Proposal, *, citizen: Citizen, person_hash: str | None, step: int) -> bool:
    """Add (`step` 1) or remove (-1) the citizen's support and move the count with it.

    False, and nothing changed, when there was nothing to add or remove: the support
    is there already (or not there to withdraw), or the proposal stopped counting
    support since it was read. The support row and the count always move together,
    so the count is the number of rows whatever runs beside it. A new (unsaved)
    citizen is stored with its support, in the same statement or transaction, and
    left unsaved when nothing was added.
    """
    new = citizen._state.adding
    if new and step < 0:
        return False  # a citizen not yet stored supports nothing
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        row = _counted_in_one_statement(
            proposal, citizen=citizen, person_hash=person_hash, step=step
        )
    else:
        row = _counted_in_a_transaction(
            proposal, citizen=citizen, person_hash=person_hash, step=step
        )
    if row is None:
        if new:
            citizen.pk = None
            citizen._state.adding = True
        return False
    if new:
        citizen.pk, row = row[-1], row[:-1]
        citizen._state.adding = False
    for field, value in zip(_COUNTED_FIELDS, row, strict=True):
        setattr(proposal, field, value)
    return True


# On PostgreSQL the support row and the count are one statement, committed on its
# own: the proposal's row is locked only while the database runs it, never across a
# round trip to the server process (where a busy process may keep it for many
# milliseconds). 10,000 supports to one proposal then queue for about a millisecond
# each instead of for the whole of each other's transactions (bench/support_storm.py).
#
# A phone's citizen is taken first (FOR KEY SHARE, as the foreign key's own check
# would at the commit): an erasure of that citizen (services.citizen_erase, which
# holds the row FOR UPDATE) is waited for, and a citizen it deleted counts nothing,
# where the support would otherwise break the foreign key at the commit.
_ADD_SQL = """
WITH counting AS (
    SELECT id FROM {proposal} WHERE id = %(proposal)s AND status = ANY(%(statuses)s)
    AND EXISTS (SELECT 1 FROM {citizen} WHERE id = %(citizen)s FOR KEY SHARE)
), added AS (
    INSERT INTO {support} (proposal_id, citizen_id, person_hash, created_at)
    SELECT id, %(citizen)s, %(person)s, %(now)s FROM counting
    ON CONFLICT DO NOTHING
    RETURNING proposal_id
)
UPDATE {proposal} SET support_count = support_count + 1, revision = revision + 1
WHERE id IN (SELECT proposal_id FROM added)
RETURNING {fields}
"""
# A phone's first support also stores its citizen, only when the proposal counts it
# (a new citizen cannot have supported before). With a person hash the support may
# still be refused (that person supports already), and the citizen with it: the
# citizen's row is inserted only when no support of that person is there (one person
# on two new phones at the same instant may leave one citizen with nothing on it).
_ADD_WITH_CITIZEN_SQL = """
WITH counting AS (
    SELECT id FROM {proposal} WHERE id = %(proposal)s AND status = ANY(%(statuses)s)
    AND (%(person)s::text IS NULL OR NOT EXISTS (
        SELECT 1 FROM {support} WHERE proposal_id = %(proposal)s AND person_hash = %(person)s
    ))
), citizen AS (
    INSERT INTO {citizen} ({citizen_columns}) SELECT {citizen_values} FROM counting
    RETURNING id
), added AS (
    INSERT INTO {support} (proposal_id, citizen_id, person_hash, created_at)
    SELECT counting.id, citizen.id, %(person)s, %(now)s FROM counting, citizen
    ON CONFLICT DO NOTHING
    RETURNING proposal_id, citizen_id
)
UPDATE {proposal} SET support_count = support_count + 1, revision = revision + 1
WHERE id IN (SELECT proposal_id FROM added)
RETURNING {fields}, (SELECT citizen_id FROM added)
"""
_REMOVE_SQL = """
WITH counting AS (
    SELECT id FROM {proposal} WHERE id = %(proposal)s AND status = ANY(%(statuses)s)
    AND EXISTS (SELECT 1 FROM {citizen} WHERE id = %(citizen)s FOR KEY SHARE)
), removed AS (
    DELETE FROM {support}
    WHERE proposal_id IN (SELECT id FROM counting) AND citizen_id = %(citizen)s
    RETURNING proposal_id
)
UPDATE {proposal} SET support_count = support_count - 1, revision = revision + 1
WHERE id IN (SELECT proposal_id FROM removed)
RETURNING {fields}
"""


def _citizen_insert(citizen: Citizen) -> tuple[str, str, dict[str, Any]]:
    """The columns, placeholders and values of an unsaved citizen's row, as the ORM saves it."""
    fields = [f for f in Citizen._meta.concrete_fields if not f.primary_key]
    values = {
        f"citizen_{f.column}": f.get_db_prep_save(f.pre_save(citizen, True), connection)
        for f in fields
    }
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(f"%(citizen_{f.column})s" for f in fields)
    return columns, placeholders, values


def _counted_in_one_statement(
    proposal: Proposal, *, citizen: Citizen, person_hash: str | None, step: int
) -> tuple[Any, ...] | None:
    names = {
        "proposal": connection.ops.quote_name(Proposal._meta.db_table),
        "support": connection.ops.quote_name(Support._meta.db_table),
        "citizen": connection.ops.quote_name(Citizen._meta.db_table),
        "fields": ", ".join(_COUNTED_FIELDS),
    }
    values: dict[str, Any] = {
        "proposal": proposal.pk,
        "statuses": sorted(Proposal.SUPPORTABLE),
        "citizen": citizen.pk,
        "person": person_hash,
        "now": timezone.now(),
    }
    if citizen._state.adding:
        columns, placeholders, citizen_values = _citizen_insert(citizen)
        sql = _ADD_WITH_CITIZEN_SQL.format(
            **names,
            citizen_columns=columns,
            citizen_values=placeholders,
        )
        values.update(citizen_values)
    else:
        sql = (_ADD_SQL if step > 0 else _REMOVE_SQL).format(**names)
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    return tuple(row) if row is not None else None


@transaction.atomic
def _counted_in_a_transaction(
    proposal: Proposal, *, citizen: Citizen, person_hash: str | None, step: int
) -> tuple[Any, ...] | None:
    """The same with the ORM: for SQLite (one writer at a time anyway) and inside a transaction."""
    new = citizen._state.adding
    counting = Proposal.objects.filter(pk=proposal.pk, status__in=Proposal.SUPPORTABLE)
    if not new:
        # A citizen erased since the phone read it counts nothing (see _ADD_SQL).
        counting = counting.filter(Exists(Citizen.objects.filter(pk=citizen.pk)))
    if not counting.exists():
        return None
    if step > 0:
        try:
            with transaction.atomic():
                if new:
                    citizen.save()
                Support.objects.create(proposal=proposal, citizen=citizen, person_hash=person_hash)
        except IntegrityError:
            return None
    else:
        deleted, _counts = Support.objects.filter(proposal=proposal, citizen=citizen).delete()
        if not deleted:
            return None
    Proposal.objects.filter(pk=proposal.pk).update(
        support_count=F("support_count") + step, revision=F("revision") + 1
    )
    row = tuple(Proposal.objects.filter(pk=proposal.pk).values_list(*_COUNTED_FIELDS).get())
    return (*row, citizen.pk) if new else row


def _milestones_claim(proposal: Proposal) -> int | None:
    """Tell the author of the shares of the threshold this support passed; each one once.

    Milestones are claimed in order, each by an update that only succeeds while the
    one recorded is lower, so however many supports cross at once, 33, 66 and 100
    are each won by exactly one of them (and logged); the highest won is returned.
    """
    share = proposal.support_count * 100 // proposal.challenge.threshold
    told = None
    for milestone in MILESTONES:
        if milestone <= proposal.milestone_told or share < milestone:
            continue
        with transaction.atomic():
            won = Proposal.objects.filter(pk=proposal.pk, milestone_told__lt=milestone).update(
                milestone_told=milestone
            )
            if won:
                _log(
                    challenge=proposal.challenge,
                    kind=ChallengeLog.Kind.MILESTONE,
                    proposal=proposal,
                    detail={"share": milestone, "supporters": proposal.support_count},
                )
        if won:
            told = milestone
            proposal.milestone_told = milestone
    return told


def _threshold_claim(proposal: Proposal) -> None:
    """Record the time the threshold was first reached: once, by one support, never undone."""
    threshold = proposal.challenge.threshold
    if proposal.support_count < threshold or proposal.threshold_reached_at is not None:
        return
    with transaction.atomic():
        won = Proposal.objects.filter(pk=proposal.pk, threshold_reached_at=None).update(
            threshold_reached_at=timezone.now(),
            # A proposal held for review meanwhile keeps its status; approving it later
            # finds the threshold reached (_status_after_review).
            status=Case(
                When(status=Proposal.Status.OPEN, then=Value(Proposal.Status.THRESHOLD_REACHED)),
                default=F("status"),
            ),
            revision=F("revision") + 1,
        )
        if not won:
            return
        proposal.refresh_from_db(fields=list(_COUNTED_FIELDS))
        _log(
            challenge=proposal.challenge,
            kind=ChallengeLog.Kind.THRESHOLD,
            proposal=proposal,
            detail={"supporters": proposal.support_count, "threshold": threshold},
        )


# ---- by the clock ---------------------------------------------------------------------------


def proposals_forward_due() -> int:
    """Forward every proposal that reached its threshold to the administration; idempotent."""
    forwarded = 0
    due = Proposal.objects.filter(status=Proposal.Status.THRESHOLD_REACHED, forwarded_at=None)
    for proposal_id in due.values_list("pk", flat=True):
        if _forward(proposal_id):
            forwarded += 1
    return forwarded


@transaction.atomic
def _forward(proposal_id: int) -> bool:
    proposal = (
        Proposal.objects.select_for_update()
        .select_related("challenge__administration")
        .filter(pk=proposal_id, status=Proposal.Status.THRESHOLD_REACHED, forwarded_at=None)
        .first()
    )
    if proposal is None:
        return False  # another worker forwarded it meanwhile
    proposal.status = Proposal.Status.FORWARDED
    proposal.forwarded_at = timezone.now()
    proposal.save(update_fields=["status", "forwarded_at"])
    administration = proposal.challenge.administration
    _log(
        challenge=proposal.challenge,
        kind=ChallengeLog.Kind.FORWARD,
        proposal=proposal,
        detail={"administration": administration.pk, "supporters": proposal.support_count},
    )
    events.proposal_changed(proposal)
    signals.proposal_forwarded.send(
        sender=Proposal, proposal=proposal, administration=administration
    )
    if administration.email:
        transaction.on_commit(lambda: _announce_forward(proposal))
    return True


def _announce_forward(proposal: Proposal) -> None:
    administration = proposal.challenge.administration
    with translation.override(proposal.challenge.language):
        subject = _("A proposal reached its threshold: %(title)s") % {"title": proposal.title}
        body = ngettext(
            "The proposal “%(title)s” in the challenge “%(challenge)s” "
            "reached %(count)d supporter (the threshold is %(threshold)d) and is forwarded "
            "to %(administration)s for formal treatment.\n\n%(text)s\n\n%(link)s",
            "The proposal “%(title)s” in the challenge “%(challenge)s” "
            "reached %(count)d supporters (the threshold is %(threshold)d) and is forwarded "
            "to %(administration)s for formal treatment.\n\n%(text)s\n\n%(link)s",
            proposal.support_count,
        ) % {
            "title": proposal.title,
            "challenge": proposal.challenge.title,
            "count": proposal.support_count,
            "threshold": proposal.challenge.threshold,
            "administration": administration.name,
            "text": proposal.text,
            "link": site_link(proposal.get_absolute_url()),
        }
    try:
        send_mail(subject, body, None, [administration.email])
    except Exception:
        # Forwarded is recorded and shown; a mail server outage must not undo it.
        logger.exception("could not announce forwarded proposal %s", proposal.pk)


def proposals_expire_due(*, now: datetime | None = None) -> int:
    """At the closing time, proposals below the threshold expire; idempotent."""
    now = now or timezone.now()
    expired = 0
    due = Proposal.objects.filter(
        challenge__closes_at__lte=now,
        status__in=[
            Proposal.Status.OPEN,
            Proposal.Status.HELD,
            Proposal.Status.AWAITING_COSPONSORS,
        ],
    )
    for proposal_id in due.values_list("pk", flat=True):
        if _expire(proposal_id, now):
            expired += 1
    return expired


@transaction.atomic
def _expire(proposal_id: int, now: datetime) -> bool:
    proposal = (
        Proposal.objects.select_for_update()
        .select_related("challenge")
        .filter(
            pk=proposal_id,
            challenge__closes_at__lte=now,
            status__in=[
                Proposal.Status.OPEN,
                Proposal.Status.HELD,
                Proposal.Status.AWAITING_COSPONSORS,
            ],
        )
        .first()
    )
    if proposal is None:
        return False
    proposal.status = Proposal.Status.EXPIRED
    proposal.expired_at = now
    proposal.save(update_fields=["status", "expired_at"])
    _log(
        challenge=proposal.challenge,
        kind=ChallengeLog.Kind.EXPIRE,
        proposal=proposal,
        detail={"supporters": proposal.support_count, "threshold": proposal.challenge.threshold},
    )
    events.proposal_changed(proposal)
    return True


# ---- from the room to the platform -----------------------------------------------------------


@transaction.atomic
def proposal_from_workshop(
    *,
    user: AbstractBaseUser | AnonymousUser,
    challenge: Challenge,
    workshop: Workshop,
    cluster_id: object = None,
    idea_id: object = None,
) -> Proposal:
    """Open a workshop's theme or idea for support in a challenge, in one action.

    The facilitator must run both the workshop and the challenge. The proposal
    skips co-sponsors and moderation (the room and its facilitator already did
    both) and links back to the workshop's evidence.
    """
    if not workshop.is_facilitator(user if user.is_authenticated else None):
        raise ActionRefused("forbidden", _("Only the workshop's facilitators can do that."))
    if not challenge_may_manage(challenge=challenge, user=user):
        raise ActionRefused("forbidden", _("Only the challenge's facilitators can do that."))
    _open_challenge(challenge)
    cluster = idea = None
    if cluster_id is not None:
        cluster = Cluster.objects.filter(pk=_id(cluster_id), workshop=workshop).first()
        if cluster is None:
            raise ActionRefused("not_found", _("That theme does not exist."))
        ideas = list(
            Idea.objects.filter(cluster=cluster, status=Idea.Status.PUBLISHED)
            .order_by("created_at")
            .values_list("text", flat=True)
        )
        title = cluster.name
        body = "\n".join(f"\u2022 {text}" for text in ideas) or cluster.name
    elif idea_id is not None:
        idea = Idea.objects.filter(
            pk=_id(idea_id), workshop=workshop, status=Idea.Status.PUBLISHED
        ).first()
        if idea is None:
            raise ActionRefused("not_found", _("That idea does not exist."))
        title, body = idea.text, idea.text
    else:
        raise ActionRefused("invalid", _("Choose a theme or an idea."))
    if Proposal.objects.filter(
        challenge=challenge, source_cluster=cluster, source_idea=idea
    ).exists():
        raise ActionRefused("conflict", _("This is already a proposal in that challenge."))
    proposal = Proposal.objects.create(
        challenge=challenge,
        title=clean_text(title, multiline=False)[:TITLE_MAX_LENGTH],
        text=clean_text(body)[:TEXT_MAX_LENGTH],
        author=None,
        author_name=workshop.title[:AUTHOR_NAME_MAX_LENGTH],
        status=Proposal.Status.AWAITING_COSPONSORS,
        source_workshop=workshop,
        source_cluster=cluster,
        source_idea=idea,
    )
    _publish(proposal, user=user)
    return proposal


def _id(raw: object) -> int:
    if isinstance(raw, str) and raw.isdigit() and len(raw) < 19:
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ActionRefused("invalid", _("That id is not valid."))
    return raw


# ---- privacy ---------------------------------------------------------------------------------
#
# What ties a phone to a person is its Citizen row: the secret key in its session and
# in its receipts. Erasing a citizen deletes that row (and, through `citizen_erased`,
# the receipts, e-mail addresses and notices other apps keep for it). What the citizen
# wrote, co-sponsored, supported and reported stays, belonging to nobody: the rows are
# detached (their citizen becomes NULL), not deleted, so every count stays what it was
# and a threshold once reached stays reached — a support count never drops because
# someone left.
#
# The price: the rows no longer say which phone made them, so the one-support-per-phone
# guarantee of *open* support is lost for that phone. Should it support the same
# proposal again it is a new citizen, and counts again. That is no weaker than open
# support already is (a phone that clears its cookies is a new citizen too), which is
# why open support is shown as unverified. *Verified* support keeps its `person_hash`
# while the challenge is open: it is a keyed hash that names nobody without the
# platform's key, and it is the only thing that keeps "one person, one voice" — without
# it the same eID could support the same proposal again and count twice. Once the
# challenge has closed no support can be given, so the hash has done its work and goes
# (at the erasure, or by the retention job).


def citizen_session_forget(session: Any) -> None:
    """The session forgets its citizen and any eID sign-in kept for supporting."""
    from .eid import SESSION_PERSON_KEY

    session.pop(SESSION_CITIZEN_KEY, None)
    session.pop(SESSION_PERSON_KEY, None)


def _citizen_delete(citizen: Citizen) -> None:
    """The row goes; what hung off it is detached (SET_NULL) or, for receipts, deleted."""
    signals.citizen_erased.send(sender=Citizen, citizen=citizen)
    citizen.delete()


@transaction.atomic
def citizen_erase(*, citizen_key: object, session: Any | None = None) -> int:
    """A citizen erases their own data; returns how many challenges it touched.

    `citizen_key` is the key from the phone's session or from its receipt: nobody else
    knows it. A key that names no citizen (forged, or erased already) is refused and
    changes nothing. Their proposals keep their text and supports but lose the name
    they were signed with; the audit log of each challenge touched gets one line with
    counts, no names, no addresses.
    """
    if not isinstance(citizen_key, str) or not citizen_key or len(citizen_key) > 64:
        raise ActionRefused("not_found", _("There is nothing of yours to erase."))
    citizen = Citizen.objects.select_for_update().filter(key=citizen_key).first()
    if citizen is None:
        raise ActionRefused("not_found", _("There is nothing of yours to erase."))
    now = timezone.now()
    touched: dict[int, dict[str, int]] = {}

    def count(rows: Any, what: str) -> None:
        for challenge_id in rows:
            per = touched.setdefault(challenge_id, {})
            per[what] = per.get(what, 0) + 1

    written = Proposal.objects.filter(author=citizen).select_related("challenge")
    count(written.values_list("challenge_id", flat=True), "proposals")
    count(
        Support.objects.filter(citizen=citizen).values_list("proposal__challenge_id", flat=True),
        "supports",
    )
    count(
        Cosponsorship.objects.filter(citizen=citizen).values_list(
            "proposal__challenge_id", flat=True
        ),
        "cosponsorships",
    )
    count(
        ProposalFlag.objects.filter(citizen=citizen).values_list(
            "proposal__challenge_id", flat=True
        ),
        "flags",
    )
    # The name they signed with is theirs; the text stays, as in the workshops.
    signed = list(written.exclude(author_name=""))
    written.update(author_name="")
    # No support can come once a challenge has closed: "one person, one voice" needs
    # the hash no longer (see above).
    Support.objects.filter(citizen=citizen, proposal__challenge__closes_at__lte=now).update(
        person_hash=None
    )
    _citizen_delete(citizen)
    for challenge in Challenge.objects.filter(pk__in=touched):
        _log(challenge=challenge, kind=ChallengeLog.Kind.ERASE, detail=touched[challenge.pk])
    for proposal in signed:
        proposal.author_name = ""
        proposal.author_id = None
        events.proposal_changed(proposal)
    # The phone that erases forgets it; erasing through the receipt's link from another
    # phone leaves that phone's own citizen alone.
    if session is not None and session.get(SESSION_CITIZEN_KEY) == citizen_key:
        citizen_session_forget(session)
    return len(touched)


def challenges_retention_due(*, now: datetime | None = None) -> list[Challenge]:
    """Closed challenges whose personal data has outlived their retention period."""
    now = now or timezone.now()
    candidates = Challenge.objects.filter(personal_data_erased_at=None, closes_at__lte=now)
    return [c for c in candidates.iterator() if c.personal_data_erased_after <= now]


@transaction.atomic
def challenge_erase_personal_data(*, challenge: Challenge, now: datetime | None = None) -> int:
    """Erase every link between the challenge's proposals and the phones behind them.

    Returns how many citizens were detached; 0, changing nothing, when it was done
    already (a second run, or a second worker). The platform's own act, run by the
    retention job: one line in the audit log. Proposals, supports, co-sponsorships
    and counts stay, belonging to nobody; a citizen left with nothing in any
    challenge is erased whole (receipt, address, notices); one still taking part
    elsewhere keeps its receipt, which no longer shows this challenge.
    """
    locked = (
        Challenge.objects.select_for_update()
        .filter(pk=challenge.pk, personal_data_erased_at=None)
        .first()
    )
    if locked is None:
        return 0
    proposals = Proposal.objects.filter(challenge=locked)
    supports = Support.objects.filter(proposal__challenge=locked)
    cosponsorships = Cosponsorship.objects.filter(proposal__challenge=locked)
    flags = ProposalFlag.objects.filter(proposal__challenge=locked)
    citizen_ids: set[int] = set()
    for rows in (
        proposals.exclude(author=None).values_list("author_id", flat=True),
        supports.exclude(citizen=None).values_list("citizen_id", flat=True),
        cosponsorships.exclude(citizen=None).values_list("citizen_id", flat=True),
        flags.exclude(citizen=None).values_list("citizen_id", flat=True),
    ):
        citizen_ids.update(pk for pk in rows if pk is not None)
    signals.challenge_personal_data_erased.send(sender=Challenge, challenge=locked)
    # A proposal opened from a workshop has no author and is signed with the
    # workshop's title, which is no one's name: it stays.
    proposals.exclude(author=None).update(author=None, author_name="")
    supports.update(citizen=None, person_hash=None)
    cosponsorships.update(citizen=None)
    flags.update(citizen=None)
    erased = 0
    for citizen in Citizen.objects.select_for_update().filter(pk__in=citizen_ids):
        if not _citizen_takes_part(citizen):
            _citizen_delete(citizen)
            erased += 1
    locked.personal_data_erased_at = now or timezone.now()
    locked.save(update_fields=["personal_data_erased_at"])
    _log(
        challenge=locked,
        kind=ChallengeLog.Kind.RETENTION,
        detail={
            "citizens": len(citizen_ids),
            "citizens_erased": erased,
            "retention_days": locked.retention_days,
        },
    )
    return len(citizen_ids)


def _citizen_takes_part(citizen: Citizen) -> bool:
    return (
        Proposal.objects.filter(author=citizen).exists()
        or Support.objects.filter(citizen=citizen).exists()
        or Cosponsorship.objects.filter(citizen=citizen).exists()
        or ProposalFlag.objects.filter(citizen=citizen).exists()
    )


def challenge_retention_set(
    *, user: AbstractBaseUser | AnonymousUser, challenge: Challenge, retention_days: object
) -> Challenge:
    """A facilitator sets how long after closing the challenge's personal data is kept."""
    if not challenge_may_manage(challenge=challenge, user=user):
        raise ActionRefused("forbidden", _("Only the challenge's facilitators can do that."))
    if challenge.personal_data_erased_at is not None:
        raise ActionRefused("conflict", _("This challenge's personal data is erased already."))
    days = _whole(
        retention_days, label=_("Days to keep personal data"), low=1, high=RETENTION_DAYS_MAX
    )
    with transaction.atomic():
        Challenge.objects.filter(pk=challenge.pk).update(retention_days=days)
        challenge.retention_days = days
        _log(
            challenge=challenge,
            kind=ChallengeLog.Kind.RETENTION_SET,
            user=user,
            detail={"retention_days": days},
        )
    return challenge
