from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from administrations.models import Administration

from .models import Theme, ThemeLink, ThemeTag


class FilterForm(forms.Form):
    start = forms.CharField(
        label=_("From (month)"), required=False, widget=forms.DateInput(attrs={"type": "month"})
    )
    end = forms.CharField(
        label=_("To (month)"), required=False, widget=forms.DateInput(attrs={"type": "month"})
    )
    administration = forms.ModelChoiceField(
        label=_("Administration"),
        queryset=Administration.objects.filter(active=True),
        required=False,
        empty_label=_("All administrations"),
    )
    source = forms.ChoiceField(
        label=_("Source"),
        required=False,
        choices=[
            ("", _("Workshops and challenges")),
            ("workshops", _("Workshops")),
            ("challenges", _("Challenges")),
        ],
    )

    def clean_start(self) -> str:
        return _month_or_refused(self.cleaned_data["start"])

    def clean_end(self) -> str:
        return _month_or_refused(self.cleaned_data["end"])


MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


def _month_or_refused(raw: str) -> str:
    """A month as the form's month field sends it; a typed one is refused, never guessed."""
    raw = raw.strip()
    if raw and not MONTH.fullmatch(raw):
        raise forms.ValidationError(_("Write the month as YYYY-MM, for example 2026-03."))
    return raw


class CreateForm(forms.Form):
    name = forms.CharField(label=_("Name of the theme"), max_length=120)
    tags = forms.CharField(
        label=_("Tags it gathers"),
        required=False,
        max_length=2000,
        help_text=_(
            "Separated by commas. Every idea and cluster carrying one of them counts for "
            "the theme; a tag belongs to one theme."
        ),
    )


class TagsForm(forms.Form):
    tags = forms.CharField(
        label=_("Tags to add"),
        max_length=2000,
        help_text=_("Separated by commas."),
    )


class RenameForm(forms.Form):
    name = forms.CharField(label=_("New name"), max_length=120)


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(label=_("Merge into"), queryset=Theme.objects.none())

    def __init__(self, *args: Any, theme: Theme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["target"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared just above
        field.queryset = Theme.objects.filter(merged_into__isnull=True).exclude(pk=theme.pk)


class SplitForm(forms.Form):
    name = forms.CharField(label=_("Name of the new theme"), max_length=120)
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags it takes"),
        queryset=ThemeTag.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    links = forms.ModelMultipleChoiceField(
        label=_("Items it takes"),
        queryset=ThemeLink.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, theme: Theme, titles: dict[int, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("tags", theme.tags.all()), ("links", theme.links.all())):
            field = self.fields[name]
            assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101
            field.queryset = queryset
        links = self.fields["links"]
        assert isinstance(links, forms.ModelMultipleChoiceField)  # noqa: S101
        # An item reads as its kind and words, not as its number.
        shown = titles or {}
        links.label_from_instance = lambda link: shown.get(link.pk, str(link))  # type: ignore[method-assign,assignment]
