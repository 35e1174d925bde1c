"""The one shape of a value proposition, for the snapshot, the events and the answers."""

from __future__ import annotations

from typing import Any

from .models import PropositionField, PropositionSuggestion, ValueProposition

FIELD_NAMES: tuple[str, ...] = tuple(PropositionField.Name.values)


def _fields_by_name(proposition: ValueProposition) -> dict[str, PropositionField]:
    # Read through all() so a prefetch (the snapshot) is used instead of a query per field.
    return {field.name: field for field in proposition.fields.all()}


def proposition_as_dict(
    proposition: ValueProposition, *, for_facilitator: bool = False
) -> dict[str, Any]:
    """A value proposition; only facilitators see kept conflicts and pending suggestions."""
    fields = _fields_by_name(proposition)
    alternatives: list[dict[str, Any]] = []
    suggestions: list[dict[str, Any]] = []
    if for_facilitator:
        for field in fields.values():
            alternatives += [
                {
                    "id": alternative.id,
                    "field": field.name,
                    "text": alternative.text,
                    "based_on": alternative.based_on,
                }
                for alternative in field.alternatives.all()
                if alternative.resolved_at is None
            ]
            suggestions += [
                {"id": suggestion.id, "field": field.name, "text": suggestion.text}
                for suggestion in field.suggestions.all()
                if suggestion.status == PropositionSuggestion.Status.PENDING
            ]
    return {
        "id": proposition.pk,
        "target_type": "cluster" if proposition.cluster_id is not None else "idea",
        "target_id": proposition.cluster_id or proposition.idea_id,
        "title": proposition.title,
        "position": proposition.position,
        "fields": [
            {
                "name": name,
                "label": str(PropositionField.Name(name).label),
                "text": fields[name].text if name in fields else "",
                "revision": fields[name].revision if name in fields else 0,
            }
            for name in FIELD_NAMES
        ],
        "alternatives": sorted(alternatives, key=lambda item: item["id"]),
        "suggestions": sorted(suggestions, key=lambda item: item["id"]),
    }


def proposition_labels(data: dict[str, Any]) -> None:
    """Write an event's field labels again in the active language
    (declared with workshops.registry.add_labels)."""
    for field in data["proposition"]["fields"]:
        field["label"] = str(PropositionField.Name(field["name"]).label)
