"""Every write to a workshop: check, write, and publish after commit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .actors import (
    PARTICIPANTS_SESSION_KEY,
    Actor,
    ParticipantCount,
    actor_resolve,
    require,
)
from .errors import ActionRefused, page_expired
from .events import publish
from .limits import actor_limit
from .models import FacilitatorInvitation, Participant, Workshop
from .names import friendly_name
from .phases import RUNNABLE_PHASES, Action, Phase, Role
from .sanitize import clean_text
from .selectors import participant_count
from .serializers import participant_as_dict, server_time, workshop_as_dict

# The longest a phase timer may run: a whole workshop day.
MAX_TIMER_SECONDS = 8 * 60 * 60
DISPLAY_NAME_MAX_LENGTH = 40


def _clean_field(raw: str, *, max_length: int, label: str, required: bool = True) -> str:
    text = clean_text(raw, multiline=False)
    if required and not text:
        raise ActionRefused("invalid", _("%(field)s cannot be empty.") % {"field": label})
    if len(text) > max_length:
        raise ActionRefused(
            "invalid",
            ngettext(
                "%(field)s can be at most %(limit)d character.",
                "%(field)s can be at most %(limit)d characters.",
                max_length,
            )
            % {"field": label, "limit": max_length},
        )
    return text


def _workshop_fields(*, title: str, question: str, context: str, language: str) -> dict[str, str]:
    if language not in dict(settings.LANGUAGES):
        raise ActionRefused("invalid", _("Choose one of the offered languages."))
    cleaned_context = clean_text(context)
    if len(cleaned_context) > 2000:
        raise ActionRefused("invalid", _("The context can be at most 2000 characters."))
    return {
        "title": _clean_field(title, max_length=200, label=_("The title")),
        "question": _clean_field(question, max_length=500, label=_("The policy question")),
        "context": cleaned_context,
        "language": language,
    }


def workshop_create(
    *, owner: Any, title: str, question: str, context: str = "", language: str = "en"
) -> Workshop:
    if owner is None or not owner.is_authenticated:
        raise ActionRefused("forbidden", _("Sign in to create a workshop."))
    fields = _workshop_fields(title=title, question=question, context=context, language=language)
    # A fresh code collides about once in a billion; try again rather than fail.
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Workshop.objects.create(owner=owner, **fields)
        except IntegrityError:
            continue
    raise ActionRefused("conflict", _("Could not find a free join code; please try again."))


@transaction.atomic
def workshop_update(
    *, actor: Actor, title: str, question: str, context: str, language: str
) -> Workshop:
    require(actor, Action.EDIT_WORKSHOP)
    fields = _workshop_fields(title=title, question=question, context=context, language=language)
    workshop = Workshop.objects.select_for_update().get(pk=actor.workshop.pk)
    for name, value in fields.items():
        setattr(workshop, name, value)
    workshop.revision += 1
    workshop.save()
    publish(workshop, "workshop.updated", {"workshop": workshop_as_dict(workshop)})
    return workshop


def _timer_end(duration_seconds: int | None) -> Any:
    if duration_seconds is None:
        return None
    if isinstance(duration_seconds, bool) or not isinstance(duration_seconds, int):
        raise ActionRefused("invalid", _("The timer must be a whole number of seconds."))
    if not 0 < duration_seconds <= MAX_TIMER_SECONDS:
        raise ActionRefused("invalid", _("A timer runs from one second to eight hours."))
    return timezone.now() + timedelta(seconds=duration_seconds)


@transaction.atomic
def workshop_change_phase(
    *, actor: Actor, phase: str, duration_seconds: int | None = None
) -> Workshop:
    """Move the room to another phase, with a countdown when a duration is given."""
    require(actor, Action.CHANGE_PHASE)
    if phase not in {p.value for p in RUNNABLE_PHASES}:
        raise ActionRefused("invalid", _("That phase is not available."))
    ends_at = _timer_end(duration_seconds)
    if phase == Phase.CLOSED:
        ends_at = None  # a closed room has nothing left to count down
    workshop = Workshop.objects.select_for_update().get(pk=actor.workshop.pk)
    workshop.phase = phase
    workshop.phase_ends_at = ends_at
    workshop.revision += 1
    workshop.save(update_fields=["phase", "phase_ends_at", "revision"])
    publish(
        workshop,
        "phase.changed",
        {"workshop": workshop_as_dict(workshop), "server_time": server_time()},
    )
    return workshop


@transaction.atomic
def workshop_set_timer(*, actor: Actor, duration_seconds: int | None) -> Workshop:
    """Start, restart or (with None) clear the current phase's countdown."""
    require(actor, Action.SET_TIMER)
    ends_at = _timer_end(duration_seconds)
    workshop = Workshop.objects.select_for_update().get(pk=actor.workshop.pk)
    workshop.phase_ends_at = ends_at
    workshop.revision += 1
    workshop.save(update_fields=["phase_ends_at", "revision"])
    publish(
        workshop,
        "timer.changed",
        {"workshop": workshop_as_dict(workshop), "server_time": server_time()},
    )
    return workshop


def _display_name(raw: object) -> str:
    if not isinstance(raw, str):
        raise ActionRefused("invalid", _("Your name must be text."))
    name = clean_text(raw, multiline=False)
    if len(name) > DISPLAY_NAME_MAX_LENGTH:
        raise ActionRefused(
            "invalid",
            ngettext(
                "A name can be at most %(limit)d character.",
                "A name can be at most %(limit)d characters.",
                DISPLAY_NAME_MAX_LENGTH,
            )
            % {"limit": DISPLAY_NAME_MAX_LENGTH},
        )
    return name


def participant_join(*, actor: Actor, display_name: object = "") -> Participant:
    """Let a person into the room; an empty name gets a friendly generated one."""
    participant, _count = participant_join_counted(actor=actor, display_name=display_name)
    return participant


@transaction.atomic
def participant_join_counted(
    *, actor: Actor, display_name: object = ""
) -> tuple[Participant, ParticipantCount | None]:
    """participant_join(), with the room's count as the join read it (None if it did not)."""
    if actor.participant is not None:
        return actor.participant, None
    require(actor, Action.JOIN)
    name = _display_name(display_name) or friendly_name()
    actor_limit(actor=actor, kind="join")
    participant = Participant.objects.create(workshop=actor.workshop, display_name=name)
    count = participant_count(workshop=actor.workshop)
    publish(
        actor.workshop,
        "participant.joined",
        {
            "participant": participant_as_dict(participant),
            "participant_count": count.total,
            "participant_count_as_of": count.as_of,
        },
    )
    return participant, count


def participant_join_session(
    *, actor: Actor, session: Any, display_name: object = "", by_form: bool = False
) -> Actor:
    """Join over the room's socket, or by the join form: the phone's session now names
    its participant.

    Returns the phone's actor in the room, a citizen. A phone whose session already
    names a participant of this room (another tab joined it, or the page's socket did
    while its form was on its way) is answered with that one. The socket cannot set a
    cookie, so the session must exist before the join: the join page makes it
    (workshops.views.join). It is read afresh and written under its row's lock
    (workshops.sessions), so a phone joins once however many of its tabs and sockets
    ask at once. The form (`by_form`) may come without a stored session (it expired
    meanwhile): then no socket can be joining for it, and the answer stores a new one.
    Precondition: `session` is the phone's session (workshops.sessions.SessionStore).
    """
    # A name that cannot be taken is refused before any lock or read: a phone sending
    # it again and again costs the database nothing.
    _display_name(display_name)
    with transaction.atomic():
        stored = session.load_locked()
        if not stored and not by_form:
            raise page_expired()
        # A socket's actor was read when it opened, maybe minutes ago; the form's now.
        workshop = actor.workshop if by_form else Workshop.objects.get(pk=actor.workshop.pk)
        current = actor_resolve(
            workshop=workshop, user=actor.user, session=session, address=actor.address
        )
        if current.role is Role.CITIZEN:
            return current
        participant, count = participant_join_counted(actor=current, display_name=display_name)
        joined = dict(session.get(PARTICIPANTS_SESSION_KEY) or {})
        joined[str(workshop.pk)] = participant.key
        session[PARTICIPANTS_SESSION_KEY] = joined
        if stored:
            session.save()
            # Written under the lock: nothing is left for the form's answer to write.
            session.modified = False
    # Who they are now needs no second read, as when the form joins (workshops.views.join).
    return Actor(
        role=Role.CITIZEN,
        workshop=workshop,
        participant=participant,
        address=actor.address,
        just_joined=True,
        room_count=count,
    )


def participant_join_again(*, actor: Actor, display_name: object = "") -> Participant:
    """A phone already in the room asking to join: who it is, and nothing changes.

    A phone that has not joined joins through participant_join_session, which holds its
    session; anyone else is refused as joining would refuse them.
    """
    _display_name(display_name)
    if actor.participant is None:
        require(actor, Action.JOIN)
        raise ActionRefused("forbidden", _("Join the workshop first."))
    return actor.participant


@transaction.atomic
def participant_rename(*, actor: Actor, display_name: object) -> Participant:
    require(actor, Action.RENAME_SELF)
    if actor.participant is None:  # the rules let only citizens rename; this keeps it so
        raise ActionRefused("forbidden", _("You are not allowed to do that in this workshop."))
    name = _display_name(display_name)
    if not name:
        raise ActionRefused("invalid", _("Your name cannot be empty."))
    participant = Participant.objects.select_for_update().get(pk=actor.participant.pk)
    participant.display_name = name
    participant.save(update_fields=["display_name"])
    publish(
        actor.workshop, "participant.renamed", {"participant": participant_as_dict(participant)}
    )
    return participant


def facilitator_invite(*, actor: Actor, email: str) -> FacilitatorInvitation:
    """Create an invitation whose link makes a signed-in colleague a co-facilitator."""
    require(actor, Action.INVITE_FACILITATOR)
    address = (email or "").strip().lower()
    if "@" not in address or len(address) > 254:
        raise ActionRefused("invalid", _("Enter a valid email address."))
    return FacilitatorInvitation.objects.create(
        workshop=actor.workshop, email=address, invited_by=actor.user
    )


def _addresses_of(user: Any, *, verified: bool) -> set[str]:
    """The user's e-mail addresses; with `verified`, only those they proved they read."""
    found = EmailAddress.objects.filter(user=user)
    if verified:
        found = found.filter(verified=True)
    addresses = {address.lower() for address in found.values_list("email", flat=True)}
    if user.email and not verified:
        addresses.add(user.email.lower())
    return addresses


@transaction.atomic
def invitation_accept(*, token: str, user: Any) -> Workshop:
    if user is None or not user.is_authenticated:
        raise ActionRefused("forbidden", _("Sign in to accept the invitation."))
    invitation = (
        FacilitatorInvitation.objects.select_for_update()
        .select_related("workshop")
        .filter(token=token)
        .first()
    )
    if invitation is None:
        raise ActionRefused("not_found", _("This invitation does not exist."))
    # The link alone is not enough: it may have been forwarded or overheard. Nor is an
    # address typed at sign-up: anyone can type one, so it must have been confirmed.
    if invitation.email not in _addresses_of(user, verified=True):
        if invitation.email in _addresses_of(user, verified=False):
            raise ActionRefused(
                "forbidden",
                _(
                    "Confirm your address %(email)s first with the link we mailed you, "
                    "then open this invitation again."
                )
                % {"email": invitation.email},
            )
        raise ActionRefused(
            "forbidden",
            _("This invitation is for %(email)s. Sign in with that address to accept it.")
            % {"email": invitation.email},
        )
    if invitation.accepted_by_id is not None and invitation.accepted_by_id != user.pk:
        raise ActionRefused("conflict", _("This invitation has already been used."))
    invitation.workshop.facilitators.add(user)
    if invitation.accepted_by_id is None:
        invitation.accepted_by = user
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_by", "accepted_at"])
    return invitation.workshop
