from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class IdeaForm(forms.Form):
    text = forms.CharField(
        label=_("Your idea"),
        # Length is checked after cleaning by the service, which gives the clear message.
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": settings.SAMSKAB["IDEA_MAX_LENGTH"]}),
        required=False,
    )
    client_key = forms.CharField(widget=forms.HiddenInput, required=False)
