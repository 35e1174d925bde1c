from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from administrations.models import Administration

from .models import CoCreationRequest

REQUEST_FIELDS = [
    "title",
    "current_situation",
    "citizens_needs",
    "goals",
    "deadline",
    "owner",
    "resources",
]


class RequestForm(forms.ModelForm):
    class Meta:
        model = CoCreationRequest
        fields = REQUEST_FIELDS
        widgets = {
            "deadline": forms.DateInput(attrs={"type": "date"}),
            "current_situation": forms.Textarea(attrs={"rows": 4}),
            "citizens_needs": forms.Textarea(attrs={"rows": 4}),
            "goals": forms.Textarea(attrs={"rows": 4}),
            "resources": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "current_situation": _("What is there today, and what is not working."),
            "citizens_needs": _("What citizens need, as your administration sees it."),
            "goals": _(
                "What you hope co-creation gives you. This becomes the workshop's question."
            ),
            "owner": _("The person who answers for the work in your administration."),
            "resources": _("Time, money and people you can put in."),
        }


class NewRequestForm(RequestForm):
    administration = forms.ModelChoiceField(
        queryset=Administration.objects.none(), label=_("For the administration")
    )

    class Meta(RequestForm.Meta):
        fields = ["administration", *REQUEST_FIELDS]

    def __init__(
        self, *args: Any, administrations: QuerySet[Administration], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["administration"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared just above
        field.queryset = administrations
        if administrations.count() == 1:
            field.initial = administrations.first()


class TriageForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (CoCreationRequest.Status.ACCEPTED, _("Accept")),
            (CoCreationRequest.Status.NEEDS_MORE, _("Ask for more")),
            (CoCreationRequest.Status.DECLINED, _("Decline")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Question or reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when you ask for more or decline; the department reads it."),
    )
