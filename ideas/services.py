"""Every write to ideas: validate, write, and publish after commit."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from taggit.models import Tag

from workshops.actors import Actor, require
from workshops.errors import ActionRefused
from workshops.events import publish
from workshops.limits import actor_limit
from workshops.phases import Action
from workshops.sanitize import clean_text

from . import screening
from .models import Idea
from .serializers import idea_as_dict

_CLIENT_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def idea_text_checked(raw: object) -> str:
    """The idea's text cleaned, or ActionRefused: one rule wherever an idea's words change."""
    if not isinstance(raw, str):
        raise ActionRefused("invalid", _("Write your idea as text."))
    text = clean_text(raw)
    limit = settings.SAMSKAB["IDEA_MAX_LENGTH"]
    if not text:
        raise ActionRefused("invalid", _("Write your idea before you post it."))
    if len(text) > limit:
        raise ActionRefused(
            "invalid",
            ngettext(
                "An idea can be at most %(limit)d character; this one has %(length)d.",
                "An idea can be at most %(limit)d characters; this one has %(length)d.",
                limit,
            )
            % {"limit": limit, "length": len(text)},
        )
    return text


def idea_post(*, actor: Actor, text: object, client_key: object) -> tuple[Idea, bool]:
    """Post an idea; a resend with the same client key returns the first one unchanged.

    Returns the idea and whether this call created it.
    """
    if not isinstance(client_key, str) or not _CLIENT_KEY.match(client_key):
        raise ActionRefused("invalid", _("This post has no valid key; reload the page."))
    # A resend is answered even when the phase has moved on: the idea was posted in time.
    if actor.participant is not None:
        existing = Idea.objects.filter(author=actor.participant, client_key=client_key).first()
        if existing is not None:
            return existing, False
    require(actor, Action.POST_IDEA)
    if actor.participant is None:  # the rules let only citizens post; this keeps it so
        raise ActionRefused("forbidden", _("You are not allowed to do that in this workshop."))
    cleaned = idea_text_checked(text)
    actor_limit(actor=actor, kind="post")
    # The word list and pre-moderation (ideas.screening): a held idea reaches facilitators only.
    screen = screening.screen()
    hold = screen.post(actor, cleaned) if screen is not None else None
    try:
        with transaction.atomic():
            idea = Idea.objects.create(
                workshop=actor.workshop,
                author=actor.participant,
                text=cleaned,
                client_key=client_key,
                status=Idea.Status.PUBLISHED if hold is None else Idea.Status.HELD,
            )
            # A new idea has no tags and no merged duplicates yet: its card (the event
            # and the answer) needs no query for them, which a crowded room notices.
            idea._prefetched_objects_cache = {  # type: ignore[attr-defined]
                "merged_ideas": Idea.objects.none(),
                "tags": Tag.objects.none(),
            }
            if hold is None:
                publish(actor.workshop, "idea.posted", {"idea": idea_as_dict(idea)})
            elif screen is not None:
                screen.hold(idea, hold)
    except IntegrityError:
        # The same post arrived twice at once (two connections); the first one won.
        return Idea.objects.get(author=actor.participant, client_key=client_key), False
    return idea, True


def _own_idea(actor: Actor, idea_id: object) -> Idea:
    if not isinstance(idea_id, int) or isinstance(idea_id, bool):
        raise ActionRefused("invalid", _("That idea does not exist."))
    idea = (
        Idea.objects.select_for_update()
        .filter(pk=idea_id, workshop=actor.workshop, status=Idea.Status.PUBLISHED)
        .first()
    )
    if idea is None:
        raise ActionRefused("not_found", _("That idea does not exist."))
    if actor.participant is None or idea.author_id != actor.participant.pk:
        raise ActionRefused("forbidden", _("You can only change your own ideas."))
    return idea


@transaction.atomic
def idea_edit(*, actor: Actor, idea_id: object, text: object) -> Idea:
    require(actor, Action.EDIT_OWN_IDEA)
    idea = _own_idea(actor, idea_id)
    cleaned = idea_text_checked(text)
    actor_limit(actor=actor, kind="edit")
    if cleaned == idea.text:
        return idea
    idea.text = cleaned
    idea.revision += 1
    idea.updated_at = idea.edited_at = timezone.now()
    idea.save(update_fields=["text", "revision", "updated_at", "edited_at"])
    # New wording that matches the word list leaves the wall for review, like a new post.
    screen = screening.screen()
    hold = screen.edit(actor, cleaned) if screen is not None else None
    if hold is None:
        publish(actor.workshop, "idea.edited", {"idea": idea_as_dict(idea)})
    elif screen is not None:
        screen.hold_edited(idea, hold)
    return idea


@transaction.atomic
def idea_withdraw(*, actor: Actor, idea_id: object) -> Idea:
    require(actor, Action.WITHDRAW_OWN_IDEA)
    idea = _own_idea(actor, idea_id)
    actor_limit(actor=actor, kind="edit")
    idea.status = Idea.Status.WITHDRAWN
    idea.revision += 1
    idea.updated_at = timezone.now()
    idea.save(update_fields=["status", "revision", "updated_at"])
    publish(actor.workshop, "idea.withdrawn", {"idea": idea_as_dict(idea)})
    return idea
