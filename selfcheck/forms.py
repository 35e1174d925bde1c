from __future__ import annotations

from typing import Any

from django import forms

from .questions import QUESTIONS


class SelfCheckForm(forms.Form):
    """One set of radio buttons per question."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in QUESTIONS:
            self.fields[question.key] = forms.ChoiceField(
                label=str(question.text),
                choices=[(option.key, option.label) for option in question.options],
                widget=forms.RadioSelect,
            )
