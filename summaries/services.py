"""Every write to value propositions and summary links: check, write, publish after commit."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ideas.models import Cluster, Idea
from workshops.actors import Actor, require
from workshops.errors import ActionRefused
from workshops.events import Audience, publish
from workshops.phases import Action
from workshops.room_cache import own_parts_changed
from workshops.sanitize import clean_text

from .models import (
    NameConsent,
    PropositionAlternative,
    PropositionField,
    PropositionSettings,
    PropositionSuggestion,
    SummaryShare,
    ValueProposition,
)
from .selectors import proposition_fresh, suggestions_allowed
from .serializers import FIELD_NAMES, proposition_as_dict

FIELD_MAX_LENGTH = 2000


def _id(raw: object, message: str) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise ActionRefused("invalid", message)
    return raw


def _field_name(raw: object) -> str:
    if not isinstance(raw, str) or raw not in FIELD_NAMES:
        raise ActionRefused("invalid", _("A value proposition has no such part."))
    return raw


def _field_text(raw: object, *, required: bool = False) -> str:
    if not isinstance(raw, str):
        raise ActionRefused("invalid", _("Write the text as text."))
    text = clean_text(raw)
    if required and not text:
        raise ActionRefused("invalid", _("Write something before you send it."))
    if len(text) > FIELD_MAX_LENGTH:
        raise ActionRefused(
            "invalid",
            ngettext(
                "A part can be at most %(limit)d character; this one has %(length)d.",
                "A part can be at most %(limit)d characters; this one has %(length)d.",
                FIELD_MAX_LENGTH,
            )
            % {"limit": FIELD_MAX_LENGTH, "length": len(text)},
        )
    return text


def _proposition(actor: Actor, proposition_id: object) -> ValueProposition:
    pk = _id(proposition_id, _("That value proposition does not exist."))
    proposition = (
        ValueProposition.objects.select_for_update().filter(pk=pk, workshop=actor.workshop).first()
    )
    if proposition is None:
        raise ActionRefused("not_found", _("That value proposition does not exist."))
    return proposition


def _publish_edited(actor: Actor, proposition_id: int) -> ValueProposition:
    proposition = proposition_fresh(proposition_id=proposition_id)
    publish(
        actor.workshop,
        "proposition.edited",
        {"proposition": proposition_as_dict(proposition)},
        facilitator_data={"proposition": proposition_as_dict(proposition, for_facilitator=True)},
    )
    return proposition


@transaction.atomic
def proposition_start(*, actor: Actor, target_type: object, target_id: object) -> ValueProposition:
    """Carry a cluster or an idea forward; asking twice for the same one returns the first."""
    require(actor, Action.EDIT_VALUE_PROPOSITIONS)
    pk = _id(target_id, _("Choose a cluster or an idea to carry forward."))
    target: dict[str, Any]
    if target_type == "cluster":
        cluster = Cluster.objects.filter(pk=pk, workshop=actor.workshop).first()
        if cluster is None:
            raise ActionRefused("not_found", _("That cluster does not exist."))
        target = {"cluster": cluster}
    elif target_type == "idea":
        idea = Idea.objects.filter(
            pk=pk, workshop=actor.workshop, status=Idea.Status.PUBLISHED
        ).first()
        if idea is None:
            raise ActionRefused("not_found", _("That idea does not exist."))
        target = {"idea": idea}
    else:
        raise ActionRefused("invalid", _("Choose a cluster or an idea to carry forward."))
    existing = ValueProposition.objects.filter(workshop=actor.workshop, **target).first()
    if existing is not None:
        return proposition_fresh(proposition_id=existing.pk)
    # Serialise starts in one workshop, so two never take the same place in the list.
    taken = (
        ValueProposition.objects.select_for_update()
        .filter(workshop=actor.workshop)
        .aggregate(last=Max("position"))["last"]
    )
    proposition = ValueProposition.objects.create(
        workshop=actor.workshop, position=(taken or 0) + 1, **target
    )
    PropositionField.objects.bulk_create(
        PropositionField(proposition=proposition, name=name) for name in FIELD_NAMES
    )
    proposition = proposition_fresh(proposition_id=proposition.pk)
    publish(
        actor.workshop,
        "proposition.started",
        {"proposition": proposition_as_dict(proposition)},
        facilitator_data={"proposition": proposition_as_dict(proposition, for_facilitator=True)},
    )
    return proposition


@transaction.atomic
def proposition_edit(
    *, actor: Actor, proposition_id: object, field: object, text: object, revision: object
) -> tuple[ValueProposition, dict[str, Any] | None]:
    """Change one part, if it is still as the writer saw it; otherwise keep both texts.

    Returns the proposition and, when the part had moved on, the conflict: the text that
    was sent (kept as an alternative for facilitators) next to the text that stands.
    """
    require(actor, Action.EDIT_VALUE_PROPOSITIONS)
    proposition = _proposition(actor, proposition_id)
    name = _field_name(field)
    based_on = _id(revision, _("The edit must say which version it changes."))
    cleaned = _field_text(text)
    record = PropositionField.objects.select_for_update().get(proposition=proposition, name=name)
    if based_on > record.revision or based_on < 0:
        raise ActionRefused("invalid", _("The edit must say which version it changes."))
    if cleaned == record.text:
        return proposition_fresh(proposition_id=proposition.pk), None
    conflict = None
    if based_on == record.revision:
        record.text = cleaned
        record.revision += 1
        record.updated_at = timezone.now()
        record.save(update_fields=["text", "revision", "updated_at"])
    else:
        # Someone changed this part since the writer last saw it: nothing is overwritten.
        alternative = PropositionAlternative.objects.create(
            field=record, text=cleaned, based_on=based_on
        )
        conflict = {
            "field": name,
            "alternative_id": alternative.pk,
            "yours": cleaned,
            "current": record.text,
            "revision": record.revision,
        }
    return _publish_edited(actor, proposition.pk), conflict


@transaction.atomic
def proposition_resolve(*, actor: Actor, alternative_id: object, keep: object) -> ValueProposition:
    """Settle a kept conflict: keep the standing text, or put the other text in its place."""
    require(actor, Action.EDIT_VALUE_PROPOSITIONS)
    pk = _id(alternative_id, _("That conflicting text does not exist."))
    if keep not in {"current", "alternative"}:
        raise ActionRefused("invalid", _("Choose which text to keep."))
    alternative = (
        PropositionAlternative.objects.select_for_update()
        .select_related("field__proposition")
        .filter(pk=pk, field__proposition__workshop=actor.workshop, resolved_at__isnull=True)
        .first()
    )
    if alternative is None:
        raise ActionRefused("not_found", _("That conflicting text does not exist."))
    now = timezone.now()
    if keep == "alternative":
        record = PropositionField.objects.select_for_update().get(pk=alternative.field_id)
        record.text = alternative.text
        record.revision += 1
        record.updated_at = now
        record.save(update_fields=["text", "revision", "updated_at"])
    alternative.resolved_at = now
    alternative.save(update_fields=["resolved_at"])
    return _publish_edited(actor, alternative.field.proposition_id)


@transaction.atomic
def proposition_remove(*, actor: Actor, proposition_id: object) -> int:
    require(actor, Action.EDIT_VALUE_PROPOSITIONS)
    proposition = _proposition(actor, proposition_id)
    pk = proposition.pk
    proposition.delete()
    publish(actor.workshop, "proposition.removed", {"proposition_id": pk})
    return pk


@transaction.atomic
def proposition_suggest(
    *, actor: Actor, proposition_id: object, field: object, text: object
) -> PropositionSuggestion:
    """A participant offers text for one part; facilitators see it and decide."""
    require(actor, Action.SUGGEST_VALUE_PROPOSITION)
    if actor.participant is None:  # the rules let only citizens suggest; this keeps it so
        raise ActionRefused("forbidden", _("You are not allowed to do that in this workshop."))
    if not suggestions_allowed(workshop=actor.workshop):
        raise ActionRefused(
            "forbidden", _("The facilitator has not opened the value propositions for suggestions.")
        )
    proposition = _proposition(actor, proposition_id)
    name = _field_name(field)
    cleaned = _field_text(text, required=True)
    record = PropositionField.objects.get(proposition=proposition, name=name)
    suggestion = PropositionSuggestion.objects.create(
        field=record, participant=actor.participant, text=cleaned
    )
    fresh = proposition_fresh(proposition_id=proposition.pk)
    publish(
        actor.workshop,
        "proposition.suggested",
        {"proposition": proposition_as_dict(fresh, for_facilitator=True)},
        audience=Audience.FACILITATORS,
    )
    return suggestion


@transaction.atomic
def proposition_suggestion_resolve(
    *, actor: Actor, suggestion_id: object, accept: object
) -> ValueProposition:
    """Take a suggestion into the text (added after what stands), or set it aside."""
    require(actor, Action.EDIT_VALUE_PROPOSITIONS)
    pk = _id(suggestion_id, _("That suggestion does not exist."))
    if not isinstance(accept, bool):
        raise ActionRefused("invalid", _("Say whether to accept the suggestion."))
    suggestion = (
        PropositionSuggestion.objects.select_for_update()
        .select_related("field")
        .filter(
            pk=pk,
            field__proposition__workshop=actor.workshop,
            status=PropositionSuggestion.Status.PENDING,
        )
        .first()
    )
    if suggestion is None:
        raise ActionRefused("not_found", _("That suggestion does not exist."))
    if accept:
        record = PropositionField.objects.select_for_update().get(pk=suggestion.field_id)
        combined = f"{record.text}\n\n{suggestion.text}" if record.text else suggestion.text
        if len(combined) > FIELD_MAX_LENGTH:
            raise ActionRefused(
                "invalid", _("With this suggestion the part would be too long; shorten it first.")
            )
        record.text = combined
        record.revision += 1
        record.updated_at = timezone.now()
        record.save(update_fields=["text", "revision", "updated_at"])
    suggestion.status = (
        PropositionSuggestion.Status.ACCEPTED if accept else PropositionSuggestion.Status.REJECTED
    )
    suggestion.save(update_fields=["status"])
    return _publish_edited(actor, suggestion.field.proposition_id)


@transaction.atomic
def propositions_allow_suggestions(*, actor: Actor, allowed: object) -> bool:
    require(actor, Action.ALLOW_PROPOSITION_SUGGESTIONS)
    if not isinstance(allowed, bool):
        raise ActionRefused("invalid", _("Say whether participants may suggest text."))
    PropositionSettings.objects.update_or_create(
        workshop=actor.workshop, defaults={"participants_may_suggest": allowed}
    )
    publish(
        actor.workshop, "propositions.permission_changed", {"participants_may_suggest": allowed}
    )
    return allowed


@transaction.atomic
def name_consent_set(*, actor: Actor, agreed: object) -> bool:
    """A participant says whether their display name may appear in the summary."""
    require(actor, Action.CONSENT_NAME_IN_SUMMARY)
    if actor.participant is None:
        raise ActionRefused("forbidden", _("You are not allowed to do that in this workshop."))
    if not isinstance(agreed, bool):
        raise ActionRefused("invalid", _("Say whether your name may appear in the summary."))
    if agreed:
        NameConsent.objects.get_or_create(participant=actor.participant)
    else:
        NameConsent.objects.filter(participant=actor.participant).delete()
    # Their consent is part of their own snapshot, and no event tells the room of it.
    own_parts_changed(actor.participant.pk)
    return agreed


@transaction.atomic
def summary_share_create(*, actor: Actor) -> SummaryShare:
    require(actor, Action.SHARE_SUMMARY)
    return SummaryShare.objects.create(workshop=actor.workshop)


@transaction.atomic
def summary_share_revoke(*, actor: Actor, share_id: object) -> SummaryShare:
    require(actor, Action.SHARE_SUMMARY)
    pk = _id(share_id, _("That link does not exist."))
    share = SummaryShare.objects.select_for_update().filter(pk=pk, workshop=actor.workshop).first()
    if share is None:
        raise ActionRefused("not_found", _("That link does not exist."))
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
    return share
