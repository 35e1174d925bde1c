"""Reads: a workshop's self-check with its feedback, its lines in the summary, the totals."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from workshops.models import Workshop

from .models import SelfCheck
from .questions import QUESTIONS, Option, Question


@dataclass(frozen=True)
class Answered:
    question: Question
    option: Option


def self_check_of(*, workshop: Workshop) -> SelfCheck | None:
    return SelfCheck.objects.filter(workshop=workshop).first()


def self_check_answered(check: SelfCheck) -> list[Answered]:
    """Each question with the answer given and its feedback, in the questions' order."""
    answered = []
    for question in QUESTIONS:
        option = question.option(str(check.answers.get(question.key, "")))
        if option is not None:
            answered.append(Answered(question, option))
    return answered


def method_part(workshop: Workshop) -> list[dict[str, str]]:
    """The self-check's lines in the summary's method section (none until answered)."""
    check = self_check_of(workshop=workshop)
    if check is None:
        return []
    return [
        {"label": str(a.question.short), "text": str(a.option.label)}
        for a in self_check_answered(check)
    ]


def self_check_totals(*, workshops: QuerySet[Workshop]) -> dict[str, Any]:
    """How often each answer was given over these workshops' self-checks."""
    checks = list(
        SelfCheck.objects.filter(workshop__in=workshops).values_list("answers", flat=True)
    )
    rows = []
    for question in QUESTIONS:
        counts = Counter(str(answers.get(question.key, "")) for answers in checks)
        rows.append(
            {
                "question": question,
                "options": [(option, counts.get(option.key, 0)) for option in question.options],
            }
        )
    return {"answered": len(checks), "rows": rows}
