from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Flag, ModerationSettings


class ModerationSettingsForm(forms.Form):
    """Only shapes the input; the service checks ranges and gives the clear message."""

    mode = forms.ChoiceField(label=_("Moderation"), choices=ModerationSettings.Mode.choices)
    flag_threshold = forms.CharField(label=_("Flags before an idea is held"), max_length=12)
    word_list = forms.CharField(label=_("Words that hold an idea"), required=False)
    retention_days = forms.CharField(label=_("Days to keep personal data"), max_length=12)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (for the log)"), required=False)
    text = forms.CharField(label=_("New wording"), required=False)


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why does this idea not belong here?"), choices=Flag.Reason.choices
    )
