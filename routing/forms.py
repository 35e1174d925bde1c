from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Kind


class RouteForm(forms.Form):
    kind = forms.ChoiceField(choices=Kind.choices)
    object_id = forms.IntegerField(min_value=1)
    administration = forms.IntegerField(
        min_value=1, error_messages={"required": _("Pick an administration first.")}
    )
