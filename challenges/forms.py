from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from administrations.selectors import administrations_active
from moderation.models import Flag

from .models import Challenge
from .services import (
    AUTHOR_NAME_MAX_LENGTH,
    RETENTION_DAYS_DEFAULT,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
)


class ChallengeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    question = forms.CharField(label=_("Question"), max_length=500)
    context = forms.CharField(
        label=_("Context"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    opens_at = forms.DateTimeField(
        label=_("Opens at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    threshold_kind = forms.ChoiceField(
        label=_("Threshold as"), choices=Challenge.ThresholdKind.choices
    )
    threshold_value = forms.IntegerField(label=_("Threshold"), min_value=1, max_value=10_000_000)
    cosponsors_needed = forms.IntegerField(
        label=_("Co-sponsors needed before a proposal is published"),
        min_value=0,
        max_value=100,
        initial=0,
    )
    moderation = forms.ChoiceField(label=_("Moderation"), choices=Challenge.Moderation.choices)
    supporters = forms.ChoiceField(label=_("Who may support"), choices=Challenge.Supporters.choices)
    residence_required = forms.BooleanField(
        label=_("Supporters must live in the municipality (checked in the eID)"), required=False
    )
    administration = forms.ModelChoiceField(
        label=_("Responsible administration"), queryset=administrations_active()
    )
    retention_days = forms.IntegerField(
        label=_("Days to keep personal data after closing"),
        help_text=_(
            "Afterwards receipts, e-mail addresses and the links between phones and what "
            "they wrote or supported are erased; proposals and counts stay, anonymous."
        ),
        min_value=1,
        max_value=3650,
        initial=RETENTION_DAYS_DEFAULT,
        required=False,
    )

    def clean_retention_days(self) -> int:
        return self.cleaned_data.get("retention_days") or RETENTION_DAYS_DEFAULT


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    text = forms.CharField(
        label=_("Your proposal"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    author_name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=AUTHOR_NAME_MAX_LENGTH,
        required=False,
        help_text=_("Shown with the proposal. Leave it empty to stay anonymous."),
    )
    photo = forms.FileField(
        label=_("A photo (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP. Its location and camera data are removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class FlagForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why does it not belong here?"), choices=Flag.Reason.choices)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False)


class FromWorkshopForm(forms.Form):
    challenge = forms.IntegerField(label=_("Challenge"), min_value=1)
    cluster = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    idea = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    # Or both in one: "cluster:12" or "idea:5", as the console's panel sends it.
    target = forms.RegexField(regex=r"^(cluster|idea):[0-9]{1,18}$", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        target = data.get("target")
        if target:
            kind, number = target.split(":")
            data[kind] = int(number)
        return data
