"""Writes: the facilitators answer the self-check of a closed workshop."""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workshops.errors import ActionRefused
from workshops.models import Workshop
from workshops.phases import Phase

from .models import SelfCheck
from .questions import QUESTIONS


def self_check_answer(
    *, user: AbstractBaseUser, workshop: Workshop, answers: Mapping[str, str]
) -> SelfCheck:
    """Keep the answers (answering again replaces them). Every question needs an answer."""
    if not workshop.is_facilitator(user):
        raise ActionRefused(
            "forbidden", _("Only the workshop's facilitators answer its self-check.")
        )
    if workshop.phase != Phase.CLOSED:
        raise ActionRefused("wrong_phase", _("The self-check opens when the workshop has closed."))
    clean = {}
    for question in QUESTIONS:
        key = answers.get(question.key, "")
        if question.option(key) is None:
            raise ActionRefused(
                "invalid", _("Answer every question: “%(question)s”") % {"question": question.text}
            )
        clean[question.key] = key
    with transaction.atomic():
        check, _created = SelfCheck.objects.update_or_create(
            workshop=workshop,
            defaults={"answers": clean, "answered_by": user, "answered_at": timezone.now()},
        )
    return check
