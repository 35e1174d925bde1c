from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from administrations.models import Administration

from .models import AnswerTemplate, Status


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    administration = forms.ModelChoiceField(
        label=_("Signed by"), queryset=Administration.objects.none(), empty_label=None
    )
    forward_to = forms.ModelChoiceField(
        label=_("Forward to (for “forwarded”)"),
        queryset=Administration.objects.filter(active=True),
        required=False,
    )
    note = forms.CharField(
        label=_("Public note (what was done, or the reason it was declined)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
    progress = forms.CharField(label=_("Progress (%)"), required=False, max_length=3)
    photo = forms.FileField(
        label=_("Photo of what was done (JPEG, PNG or WebP)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    expected_on = forms.CharField(
        label=_("Expected by (YYYY-MM-DD)"),
        required=False,
        max_length=10,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: object, signers: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["administration"].queryset = signers  # type: ignore[attr-defined]


class BulkAnswerForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Answer"), queryset=AnswerTemplate.objects.all(), empty_label=None
    )
    administration = forms.ModelChoiceField(
        label=_("Signed by"), queryset=Administration.objects.none(), empty_label=None
    )
    forward_to = forms.ModelChoiceField(
        label=_("Forward to (for “forwarded”)"),
        queryset=Administration.objects.filter(active=True),
        required=False,
    )

    def __init__(self, *args: object, signers: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["administration"].queryset = signers  # type: ignore[attr-defined]


class EmailForm(forms.Form):
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)


class AnswerBackForm(forms.Form):
    solved = forms.ChoiceField(
        label=_("Did this solve the problem?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("What is still not solved?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
