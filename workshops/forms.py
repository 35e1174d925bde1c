from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .phases import RUNNABLE_PHASES

TIMER_CHOICES = [
    ("", _("No timer")),
    ("60", _("1 minute")),
    ("180", _("3 minutes")),
    ("300", _("5 minutes")),
    ("600", _("10 minutes")),
    ("900", _("15 minutes")),
    ("1200", _("20 minutes")),
    ("1800", _("30 minutes")),
]


class JoinCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Workshop code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "inputmode": "text",
                "class": "code-input",
            }
        ),
    )


class JoinForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name in the room"),
        help_text=_("Shown next to your ideas. Keep the suggested name to stay anonymous."),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )


class WorkshopForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    question = forms.CharField(
        label=_("Policy question"),
        max_length=500,
        help_text=_("The question the room answers, e.g. “How can the library serve teenagers?”"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    context = forms.CharField(
        label=_("Short context"),
        max_length=2000,
        required=False,
        help_text=_("What citizens should know before they answer."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE
    )


class TimerField(forms.TypedChoiceField):
    """One of the console's presets, in seconds; spaces typed around it are fine, as for
    every number in a form (docs/protocol.md)."""

    def to_python(self, value: Any) -> str:
        return super().to_python(value.strip(" \t") if isinstance(value, str) else value)


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(
        label=_("Phase"), choices=[(p.value, p.label) for p in RUNNABLE_PHASES]
    )
    duration_seconds = TimerField(
        label=_("Timer"), choices=TIMER_CHOICES, coerce=int, empty_value=None, required=False
    )


class TimerForm(forms.Form):
    duration_seconds = TimerField(
        label=_("Timer"), choices=TIMER_CHOICES, coerce=int, empty_value=None, required=False
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's email"))
