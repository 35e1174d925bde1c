"""Every moderation write: check, write, record in the audit log, publish after commit."""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ideas.models import Idea
from ideas.screening import IdeaScreen
from ideas.serializers import idea_as_dict
from ideas.services import idea_text_checked
from workshops.actors import Actor, require
from workshops.errors import ActionRefused
from workshops.events import Audience, disconnect_participant, publish
from workshops.limits import actor_limit
from workshops.models import Participant, Workshop
from workshops.numbers import whole_number
from workshops.phases import Action
from workshops.room_cache import own_parts_changed, room_changed
from workshops.sanitize import clean_text
from workshops.serializers import participant_as_dict

from .models import (
    Flag,
    IdeaOriginal,
    ModerationAction,
    ModerationSettings,
    ParticipantRestriction,
)
from .selectors import moderation_settings_for, review_of
from .serializers import restriction_as_dict, settings_as_dict
from .signals import personal_data_erased

REASON_MAX_LENGTH = 500
WORD_LIST_MAX_LENGTH = 5000
WORD_MAX_LENGTH = 60
FLAG_THRESHOLD_RANGE = (1, 50)
RETENTION_DAYS_RANGE = (1, 3650)

# Why an idea waits for review; also stored in the audit log's detail.
RULE_PRE_MODERATION = "pre_moderation"
RULE_WORD_LIST = "word_list"
RULE_FLAGS = "flags"


# ---- the word list ------------------------------------------------------------------


# Characters that change nothing a reader sees inside a word, so a listed word with one
# of them inside must still match: format characters (soft hyphen, zero-width space,
# joiner and non-joiner, word joiner, zero-width no-break space, direction marks, tag
# characters), the combining grapheme joiner, variation selectors and Hangul fillers.
# Removed from the copy that is matched only; the stored text keeps them (a joiner holds
# an emoji or a Persian word together).
_INVISIBLE_EXTRA = frozenset(
    "\u034f\u115f\u1160\u3164\uffa0"
    + "".join(chr(c) for c in range(0x180B, 0x1810))
    + "".join(chr(c) for c in range(0xFE00, 0xFE10))
)


def _visible(text: str) -> str:
    return "".join(
        char
        for char in text
        if unicodedata.category(char) != "Cf"
        and char not in _INVISIBLE_EXTRA
        and not 0xE0100 <= ord(char) <= 0xE01EF
    )


def _fold(text: str) -> str:
    """The form a text is matched in: compatibility-normalised, case-folded, invisibles gone."""
    folded = unicodedata.normalize("NFKC", _visible(text)).casefold()
    # Case folding can undo normalisation ("ﬅ" → "st" is fine, but some folds decompose).
    return _visible(unicodedata.normalize("NFKC", folded))


def word_list_entries(word_list: str) -> list[str]:
    return [_fold(line.strip()) for line in word_list.splitlines() if line.strip()]


def word_list_matches(*, text: str, word_list: str) -> list[str]:
    """The entries of the list found in the text, as whole words ("word*": as a word's start)."""
    folded = _fold(text)
    found = []
    for entry in word_list_entries(word_list):
        stem, prefix = (entry[:-1], True) if entry.endswith("*") else (entry, False)
        if not stem:
            continue
        pattern = r"(?<!\w)" + re.escape(stem) + (r"" if prefix else r"(?!\w)")
        if re.search(pattern, folded):
            found.append(entry)
    return found


# ---- holding an idea on its way in -----------------------------------------------------


def idea_screen(*, actor: Actor, text: str) -> dict[str, Any] | None:
    """Before a new idea is stored: say why it must wait for review, if so.

    Returns None when the idea may go straight on the wall, or the hold's detail
    (pass it to idea_hold once the idea exists).
    """
    moderation = moderation_settings_for(workshop=actor.workshop)
    words = word_list_matches(text=text, word_list=moderation.word_list)
    if words:
        return {"rule": RULE_WORD_LIST, "words": words}
    if moderation.mode == ModerationSettings.Mode.PRE:
        return {"rule": RULE_PRE_MODERATION}
    return None


def idea_hold(*, idea: Idea, detail: dict[str, Any]) -> None:
    """A new idea created as held: log why, and show it to facilitators only.

    Precondition: inside the transaction that created the idea with status HELD.
    """
    _log(workshop=idea.workshop, kind=ModerationAction.Kind.HOLD, idea=idea, detail=detail)
    publish(
        idea.workshop,
        "idea.held",
        {"idea": idea_as_dict(idea), "review": review_of(idea)},
        audience=Audience.FACILITATORS,
    )


def idea_edit_screen(*, actor: Actor, text: str) -> dict[str, Any] | None:
    """Before an author's new wording is stored: the hold's detail if it matches the word list."""
    moderation = moderation_settings_for(workshop=actor.workshop)
    words = word_list_matches(text=text, word_list=moderation.word_list)
    return {"rule": RULE_WORD_LIST, "words": words} if words else None


def idea_hold_edited(*, idea: Idea, detail: dict[str, Any]) -> None:
    """An idea on the wall whose new wording matched the word list: off the wall, into review.

    Precondition: inside the transaction that saved the new wording.
    """
    _touch(idea, status=Idea.Status.HELD)
    _log(workshop=idea.workshop, kind=ModerationAction.Kind.HOLD, idea=idea, detail=detail)
    _publish_review_change(idea, "idea.held")


# What ideas.services asks of moderation on the way in (registered in ModerationConfig.ready()).
IDEA_SCREEN = IdeaScreen(
    post=lambda actor, text: idea_screen(actor=actor, text=text),
    hold=lambda idea, detail: idea_hold(idea=idea, detail=detail),
    edit=lambda actor, text: idea_edit_screen(actor=actor, text=text),
    hold_edited=lambda idea, detail: idea_hold_edited(idea=idea, detail=detail),
)


# ---- the audit log -------------------------------------------------------------------


def _log(
    *,
    workshop: Workshop,
    kind: str,
    actor: Actor | None = None,
    idea: Idea | None = None,
    participant: Participant | None = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> ModerationAction:
    user = actor.user if actor is not None and actor.user is not None else None
    return ModerationAction.objects.create(
        workshop=workshop,
        kind=kind,
        facilitator=user if user is not None and user.is_authenticated else None,
        facilitator_email=getattr(user, "email", "") or "",
        idea_number=idea.pk if idea is not None else None,
        participant_number=participant.pk if participant is not None else None,
        reason=reason,
        detail=detail or {},
    )


def _reason(raw: object) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise ActionRefused("invalid", _("Write the reason as text."))
    reason = clean_text(raw)
    if len(reason) > REASON_MAX_LENGTH:
        raise ActionRefused(
            "invalid",
            ngettext(
                "A reason can be at most %(limit)d character.",
                "A reason can be at most %(limit)d characters.",
                REASON_MAX_LENGTH,
            )
            % {"limit": REASON_MAX_LENGTH},
        )
    return reason


def _whole_number(raw: object, message: str) -> int:
    number = whole_number(raw)
    if number is None:
        raise ActionRefused("invalid", message)
    return number


def _idea_for_moderation(actor: Actor, idea_id: object) -> Idea:
    if not isinstance(idea_id, int) or isinstance(idea_id, bool):
        raise ActionRefused("invalid", _("That idea does not exist."))
    idea = (
        Idea.objects.select_for_update()
        .select_related("author")
        .filter(pk=idea_id, workshop=actor.workshop)
        .first()
    )
    if idea is None:
        raise ActionRefused("not_found", _("That idea does not exist."))
    return idea


def _touch(idea: Idea, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(idea, name, value)
    idea.revision += 1
    idea.updated_at = timezone.now()
    idea.save(update_fields=[*fields, "revision", "updated_at"])


# ---- facilitators on ideas -------------------------------------------------------------


@transaction.atomic
def idea_approve(*, actor: Actor, idea_id: object, reason: object = "") -> Idea:
    """Put a held idea on the wall for everyone; the flags so far are settled."""
    require(actor, Action.MODERATE)
    why = _reason(reason)
    idea = _idea_for_moderation(actor, idea_id)
    if idea.status != Idea.Status.HELD:
        raise ActionRefused("conflict", _("Only an idea waiting for review can be approved."))
    _touch(idea, status=Idea.Status.PUBLISHED)
    Flag.objects.filter(idea=idea).update(settled=True)
    _log(
        workshop=idea.workshop,
        kind=ModerationAction.Kind.APPROVE,
        actor=actor,
        idea=idea,
        reason=why,
    )
    publish(idea.workshop, "idea.posted", {"idea": idea_as_dict(idea)})
    return idea


@transaction.atomic
def idea_hide(*, actor: Actor, idea_id: object, reason: object = "") -> Idea:
    """Take an idea off the wall (or keep a held one off it) without losing it."""
    require(actor, Action.MODERATE)
    why = _reason(reason)
    idea = _idea_for_moderation(actor, idea_id)
    if idea.status not in {Idea.Status.PUBLISHED, Idea.Status.HELD}:
        raise ActionRefused("conflict", _("Only an idea on the wall or in review can be hidden."))
    was_public = idea.status == Idea.Status.PUBLISHED
    _touch(idea, status=Idea.Status.HIDDEN)
    Flag.objects.filter(idea=idea).update(settled=True)
    _log(
        workshop=idea.workshop, kind=ModerationAction.Kind.HIDE, actor=actor, idea=idea, reason=why
    )
    if was_public:
        _publish_review_change(idea, "idea.hidden")
    else:  # the room never saw it, so only facilitators hear of it
        publish(
            idea.workshop,
            "idea.hidden",
            {"idea": idea_as_dict(idea), "review": review_of(idea)},
            audience=Audience.FACILITATORS,
        )
    return idea


@transaction.atomic
def idea_restore(*, actor: Actor, idea_id: object, reason: object = "") -> Idea:
    """Put a hidden idea back on the wall."""
    require(actor, Action.MODERATE)
    why = _reason(reason)
    idea = _idea_for_moderation(actor, idea_id)
    if idea.status != Idea.Status.HIDDEN:
        raise ActionRefused("conflict", _("Only a hidden idea can be restored."))
    _touch(idea, status=Idea.Status.PUBLISHED)
    _log(
        workshop=idea.workshop,
        kind=ModerationAction.Kind.RESTORE,
        actor=actor,
        idea=idea,
        reason=why,
    )
    publish(idea.workshop, "idea.posted", {"idea": idea_as_dict(idea)})
    return idea


@transaction.atomic
def idea_moderate_text(*, actor: Actor, idea_id: object, text: object, reason: object = "") -> Idea:
    """A facilitator rewords an idea (e.g. removes a phone number); the author's words are kept."""
    require(actor, Action.MODERATE)
    why = _reason(reason)
    idea = _idea_for_moderation(actor, idea_id)
    cleaned = idea_text_checked(text)
    if idea.status not in {Idea.Status.PUBLISHED, Idea.Status.HELD, Idea.Status.HIDDEN}:
        raise ActionRefused("conflict", _("This idea can no longer be edited."))
    if cleaned == idea.text:
        return idea
    IdeaOriginal.objects.get_or_create(idea=idea, defaults={"text": idea.text})
    _touch(idea, text=cleaned, edited_at=timezone.now())
    _log(
        workshop=idea.workshop, kind=ModerationAction.Kind.EDIT, actor=actor, idea=idea, reason=why
    )
    if idea.status == Idea.Status.PUBLISHED:
        publish(idea.workshop, "idea.edited", {"idea": idea_as_dict(idea)})
    else:
        publish(
            idea.workshop,
            "idea.held" if idea.status == Idea.Status.HELD else "idea.hidden",
            {"idea": idea_as_dict(idea), "review": review_of(idea)},
            audience=Audience.FACILITATORS,
        )
    return idea


@transaction.atomic
def idea_delete(*, actor: Actor, idea_id: object, reason: object = "") -> int:
    """Remove an idea for good (e.g. it names a private person); the log keeps that it was."""
    require(actor, Action.MODERATE)
    why = _reason(reason)
    idea = _idea_for_moderation(actor, idea_id)
    number = idea.pk
    # The log keeps the act, not the words: deleted words may be what had to go.
    _log(
        workshop=idea.workshop,
        kind=ModerationAction.Kind.DELETE,
        actor=actor,
        idea=idea,
        reason=why,
    )
    idea.delete()
    publish(actor.workshop, "idea.deleted", {"idea_id": number})
    return number


def _publish_review_change(idea: Idea, event_type: str) -> None:
    """The wall loses the idea for everyone; facilitators also get its review."""
    public = {"idea": idea_as_dict(idea), "review": None}
    publish(
        idea.workshop,
        event_type,
        public,
        facilitator_data={"idea": public["idea"], "review": review_of(idea)},
    )


# ---- participants flag ideas ----------------------------------------------------------


def idea_flag(*, actor: Actor, idea_id: object, reason: object) -> Idea:
    """A participant reports an idea; enough reports hold it for review."""
    require(actor, Action.FLAG_IDEA)
    if actor.participant is None:  # the rules let only citizens flag; this keeps it so
        raise ActionRefused("forbidden", _("You are not allowed to do that in this workshop."))
    if reason not in Flag.Reason.values:
        raise ActionRefused("invalid", _("Choose why this idea does not belong here."))
    if not isinstance(idea_id, int) or isinstance(idea_id, bool):
        raise ActionRefused("invalid", _("That idea does not exist."))
    actor_limit(actor=actor, kind="flag")
    try:
        with transaction.atomic():
            return _flag(actor, idea_id, str(reason))
    except IntegrityError:
        # Two taps at once: the first flag counts, the second changes nothing.
        return Idea.objects.get(pk=idea_id)


def _flag(actor: Actor, idea_id: int, reason: str) -> Idea:
    idea = (
        Idea.objects.select_for_update()
        .filter(pk=idea_id, workshop=actor.workshop, status=Idea.Status.PUBLISHED)
        .first()
    )
    if idea is None:
        raise ActionRefused("not_found", _("That idea does not exist."))
    if idea.author_id == actor.participant.pk:  # type: ignore[union-attr]
        raise ActionRefused("invalid", _("You can withdraw your own idea instead of flagging it."))
    _flag_row, created = Flag.objects.get_or_create(
        idea=idea, participant=actor.participant, defaults={"reason": reason}
    )
    if not created:
        return idea  # flagged before: a flag counts once
    # What they flagged is part of their own snapshot.
    own_parts_changed(actor.participant.pk)  # type: ignore[union-attr]
    threshold = moderation_settings_for(workshop=actor.workshop).flag_threshold
    open_flags = Flag.objects.filter(idea=idea, settled=False).count()
    if open_flags >= threshold:
        _touch(idea, status=Idea.Status.HELD)
        _log(
            workshop=idea.workshop,
            kind=ModerationAction.Kind.HOLD,
            idea=idea,
            detail={"rule": RULE_FLAGS, "flags": open_flags},
        )
        _publish_review_change(idea, "idea.held")
    else:
        publish(
            idea.workshop,
            "idea.flagged",
            {"idea": idea_as_dict(idea), "review": review_of(idea)},
            audience=Audience.FACILITATORS,
        )
    return idea


# ---- facilitators on participants -----------------------------------------------------


def _participant_for_moderation(actor: Actor, participant_id: object) -> Participant:
    if not isinstance(participant_id, int) or isinstance(participant_id, bool):
        raise ActionRefused("invalid", _("That participant does not exist."))
    participant = (
        Participant.objects.select_for_update()
        .filter(pk=participant_id, workshop=actor.workshop)
        .first()
    )
    if participant is None:
        raise ActionRefused("not_found", _("That participant does not exist."))
    return participant


def _restrict(
    actor: Actor, participant_id: object, kind: str | None, log_kind: str, reason: object
) -> Participant:
    require(actor, Action.MODERATE)
    why = _reason(reason)
    participant = _participant_for_moderation(actor, participant_id)
    current = ParticipantRestriction.objects.filter(participant=participant).first()
    if current is not None and current.kind in {
        ParticipantRestriction.Kind.REMOVED,
        ParticipantRestriction.Kind.ERASED,
    }:
        raise ActionRefused("conflict", _("This participant has already left the workshop."))
    if kind is None:
        if current is None:
            return participant
        current.delete()
    else:
        ParticipantRestriction.objects.update_or_create(
            participant=participant, defaults={"kind": kind, "created_at": timezone.now()}
        )
    _log(workshop=actor.workshop, kind=log_kind, actor=actor, participant=participant, reason=why)
    publish(
        actor.workshop,
        "participant.restricted",
        {
            "participant": participant_as_dict(participant),
            "restriction": restriction_as_dict(participant, kind or ""),
        },
        audience=Audience.FACILITATORS,
    )
    return participant


@transaction.atomic
def participant_mute(*, actor: Actor, participant_id: object, reason: object = "") -> Participant:
    """The participant may still follow the room, but no longer post, vote or flag."""
    return _restrict(
        actor, participant_id, ParticipantRestriction.Kind.MUTED, ModerationAction.Kind.MUTE, reason
    )


@transaction.atomic
def participant_unmute(*, actor: Actor, participant_id: object, reason: object = "") -> Participant:
    return _restrict(actor, participant_id, None, ModerationAction.Kind.UNMUTE, reason)


@transaction.atomic
def participant_remove(*, actor: Actor, participant_id: object, reason: object = "") -> Participant:
    """The participant loses all access, now and on every reconnect; their ideas stay."""
    participant = _restrict(
        actor,
        participant_id,
        ParticipantRestriction.Kind.REMOVED,
        ModerationAction.Kind.REMOVE,
        reason,
    )
    disconnect_participant(
        participant.pk,
        code="removed",
        message=gettext_lazy("A facilitator has removed you from this workshop."),
    )
    return participant


# ---- settings ---------------------------------------------------------------------------


def _in_range(raw: object, bounds: tuple[int, int], message: str) -> int:
    value = _whole_number(raw, message)
    if not bounds[0] <= value <= bounds[1]:
        raise ActionRefused("invalid", message)
    return value


def _word_list(raw: object) -> str:
    if not isinstance(raw, str):
        raise ActionRefused("invalid", _("Write the word list as text, one word a line."))
    words = [clean_text(line, multiline=False) for line in raw.splitlines()]
    words = [word for word in words if word]
    if any(len(word) > WORD_MAX_LENGTH for word in words):
        raise ActionRefused(
            "invalid",
            ngettext(
                "A line of the word list can be at most %(limit)d character.",
                "A line of the word list can be at most %(limit)d characters.",
                WORD_MAX_LENGTH,
            )
            % {"limit": WORD_MAX_LENGTH},
        )
    text = "\n".join(dict.fromkeys(words))
    if len(text) > WORD_LIST_MAX_LENGTH:
        raise ActionRefused(
            "invalid",
            ngettext(
                "The word list can be at most %(limit)d character.",
                "The word list can be at most %(limit)d characters.",
                WORD_LIST_MAX_LENGTH,
            )
            % {"limit": WORD_LIST_MAX_LENGTH},
        )
    return text


@transaction.atomic
def moderation_configure(
    *,
    actor: Actor,
    mode: object,
    flag_threshold: object,
    word_list: object,
    retention_days: object,
) -> ModerationSettings:
    require(actor, Action.MODERATE)
    if mode not in ModerationSettings.Mode.values:
        raise ActionRefused("invalid", _("Choose post- or pre-moderation."))
    threshold = _in_range(
        flag_threshold, FLAG_THRESHOLD_RANGE, _("Hold an idea after 1 to 50 flags.")
    )
    days = _in_range(
        retention_days, RETENTION_DAYS_RANGE, _("Keep personal data for 1 to 3650 days.")
    )
    words = _word_list(word_list)
    moderation = moderation_settings_for(workshop=actor.workshop)
    before = settings_as_dict(moderation) if moderation.pk else {}
    moderation.mode = str(mode)
    moderation.flag_threshold = threshold
    moderation.word_list = words
    moderation.retention_days = days
    moderation.save()
    after = settings_as_dict(moderation)
    changed = sorted(name for name, value in after.items() if before.get(name) != value)
    _log(
        workshop=actor.workshop,
        kind=ModerationAction.Kind.SETTINGS,
        actor=actor,
        detail={
            "changed": changed,
            "mode": moderation.mode,
            "flag_threshold": threshold,
            "retention_days": days,
        },
    )
    publish(
        actor.workshop,
        "moderation.settings_changed",
        {"settings": after},
        audience=Audience.FACILITATORS,
    )
    return moderation


# ---- privacy ----------------------------------------------------------------------------


def _anonymise(participant: Participant, *, keep_key: bool = False) -> None:
    """Names and the session link go; ideas and votes stay, belonging to nobody.

    `keep_key` keeps the session link of a removed participant: it is what keeps that
    phone out of the room, and it says nothing about the person.
    """
    Idea.objects.filter(author=participant).update(author=None)
    participant.display_name = ""
    if not keep_key:
        participant.key = secrets.token_urlsafe(24)
    participant.save(update_fields=["display_name", "key"])
    personal_data_erased.send(sender=Participant, participant=participant)


@transaction.atomic
def participant_erase_self(*, actor: Actor) -> None:
    """A participant erases their own data and leaves the workshop."""
    require(actor, Action.ERASE_OWN_DATA)
    if actor.participant is None:
        raise ActionRefused("forbidden", _("You are not allowed to do that in this workshop."))
    participant = Participant.objects.select_for_update().get(pk=actor.participant.pk)
    _anonymise(participant)
    ParticipantRestriction.objects.update_or_create(
        participant=participant,
        defaults={"kind": ParticipantRestriction.Kind.ERASED, "created_at": timezone.now()},
    )
    _log(workshop=actor.workshop, kind=ModerationAction.Kind.ERASE, participant=participant)
    publish(actor.workshop, "participant.erased", {"participant": participant_as_dict(participant)})
    # Their other tabs and devices leave the room too.
    disconnect_participant(
        participant.pk,
        code="erased",
        message=gettext_lazy("Your data is erased and you have left."),
    )


@transaction.atomic
def participant_erase_removed(*, participant: Participant) -> None:
    """A participant a facilitator removed erases their own data; they stay removed.

    Precondition: `participant` is the one this phone's own session joined as
    (selectors.participant_of_session); the room gives a removed participant no actor.
    """
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    restriction = ParticipantRestriction.objects.filter(participant=participant).first()
    if restriction is None or restriction.kind != ParticipantRestriction.Kind.REMOVED:
        raise ActionRefused("forbidden", _("You are not allowed to do that in this workshop."))
    _anonymise(participant, keep_key=True)
    _log(workshop=participant.workshop, kind=ModerationAction.Kind.ERASE, participant=participant)
    publish(
        participant.workshop,
        "participant.erased",
        {"participant": participant_as_dict(participant)},
    )


def retention_due(*, now: Any = None) -> list[Workshop]:
    """Workshops whose personal data has outlived their retention period."""
    now = now or timezone.now()
    due = []
    candidates = Workshop.objects.exclude(
        moderation_settings__personal_data_erased_at__isnull=False
    ).select_related("moderation_settings")
    for workshop in candidates.iterator():
        moderation = moderation_settings_for(workshop=workshop)
        if workshop.created_at + timedelta(days=moderation.retention_days) <= now:
            due.append(workshop)
    return due


@transaction.atomic
def workshop_erase_personal_data(*, workshop: Workshop) -> int:
    """Erase every participant's name and session link; returns how many were erased.

    The platform's own act, run by the retention job: no actor, no event (the room
    is long over), one line in the audit log.
    """
    count = 0
    for participant in Participant.objects.select_for_update().filter(workshop=workshop):
        _anonymise(participant)
        count += 1
    moderation = moderation_settings_for(workshop=workshop)
    moderation.personal_data_erased_at = timezone.now()
    moderation.save()
    _log(
        workshop=workshop,
        kind=ModerationAction.Kind.RETENTION,
        detail={"participants": count, "retention_days": moderation.retention_days},
    )
    # No event, but the names leave every part kept for the room (see workshops.events).
    workshop_id = workshop.pk
    room_changed(workshop_id)
    transaction.on_commit(lambda: room_changed(workshop_id))
    return count
