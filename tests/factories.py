"""Factories for the room's models.

Text fields carry hostile input on purpose: markup that must never run and a
spreadsheet formula that must never be evaluated, so every test that shows or
stores text also exercises the sanitiser and the escaping.
"""

from __future__ import annotations

from typing import Any

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from ideas.models import Idea
from workshops.actors import (
    OBSERVING_SESSION_KEY,
    PARTICIPANTS_SESSION_KEY,
    Actor,
    actor_resolve,
)
from workshops.models import FacilitatorInvitation, Participant, Workshop
from workshops.phases import Phase, Role

HOSTILE_HTML = "<script>alert(1)</script>"
HOSTILE_FORMULA = "=cmd|' /C calc'!A0"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"facilitator{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    first_name = HOSTILE_HTML
    # Tests sign facilitators in with force_login; an unusable password skips slow hashing.
    password = factory.django.Password(None)

    @factory.post_generation
    def verified_email(user: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        """A facilitator confirmed their address, as allauth asks; False leaves it unconfirmed."""
        if create and user.email:
            EmailAddress.objects.get_or_create(
                user=user,
                email=user.email,
                defaults={"verified": extracted is not False, "primary": True},
            )


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop

    title = factory.Sequence(lambda n: f"{HOSTILE_HTML} Library for teenagers {n}")
    question = f"How can the library serve teenagers? {HOSTILE_FORMULA} {HOSTILE_HTML}"
    context = f"Opening hours end at 17.\n{HOSTILE_HTML}"
    owner = factory.SubFactory(UserFactory)
    phase = Phase.LOBBY


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    workshop = factory.SubFactory(WorkshopFactory)
    # 40 characters at most, like the real field.
    display_name = factory.Sequence(lambda n: f"{HOSTILE_HTML} Otter {n}")


class IdeaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Idea

    author = factory.SubFactory(ParticipantFactory)
    workshop = factory.SelfAttribute("author.workshop")
    text = f"Open late on Fridays {HOSTILE_HTML} {HOSTILE_FORMULA}"
    client_key = factory.Sequence(lambda n: f"factory-key-{n:04d}")


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FacilitatorInvitation

    workshop = factory.SubFactory(WorkshopFactory)
    email = factory.Sequence(lambda n: f"colleague{n}@example.org")
    invited_by = factory.SelfAttribute("workshop.owner")


def session_for(*, participant: Participant | None = None, observing: Workshop | None = None):
    """The session a phone holds after joining (or after opening the observer link)."""
    session: dict[str, Any] = {}
    if participant is not None:
        session[PARTICIPANTS_SESSION_KEY] = {str(participant.workshop_id): participant.key}
    if observing is not None:
        session[OBSERVING_SESSION_KEY] = [observing.pk]
    return session


def actor_for(
    role: Role | str,
    workshop: Workshop,
    phase: Phase | str | None = None,
    *,
    participant: Participant | None = None,
    user: Any = None,
) -> Actor:
    """Someone holding `role` in `workshop`, resolved the way a request resolves them.

    With `phase` the room is first moved there (directly, as a fixture, not via a service).
    """
    if phase is not None:
        Workshop.objects.filter(pk=workshop.pk).update(phase=Phase(phase))
    workshop = Workshop.objects.get(pk=workshop.pk)
    role = Role(role)
    if role is Role.FACILITATOR:
        actor = actor_resolve(workshop=workshop, user=user or workshop.owner, session={})
    elif role is Role.CITIZEN:
        participant = participant or ParticipantFactory(workshop=workshop)
        actor = actor_resolve(
            workshop=workshop, user=AnonymousUser(), session=session_for(participant=participant)
        )
    elif role is Role.OBSERVER:
        actor = actor_resolve(
            workshop=workshop, user=AnonymousUser(), session=session_for(observing=workshop)
        )
    else:
        actor = actor_resolve(workshop=workshop, user=user or AnonymousUser(), session={})
    # A fixture that resolved to another role would make every test built on it meaningless.
    assert actor.role is role, f"wanted a {role}, resolved a {actor.role}"
    return actor
