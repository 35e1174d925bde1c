"""One shape for a status change and an item's status: the events, the pages' data and JSON."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from workshops.serializers import isoformat

from .models import ItemStatus, Status, StatusChange


def item_status_as_dict(item_status: ItemStatus) -> dict[str, Any]:
    return {
        "status": item_status.status,
        "status_label": str(Status(item_status.status).label),
        "administration": item_status.administration.name if item_status.administration else None,
        "progress": item_status.progress,
        "expected_on": item_status.expected_on.isoformat() if item_status.expected_on else None,
        "updated_at": isoformat(item_status.updated_at),
        "revision": item_status.revision,
    }


def change_as_dict(change: StatusChange) -> dict[str, Any]:
    photo = getattr(change, "photo", None) if _has_photo(change) else None
    return {
        "id": change.pk,
        "status": change.status,
        "status_label": str(Status(change.status).label),
        "administration": change.administration.name,
        "forwarded_to": change.forwarded_to.name if change.forwarded_to is not None else None,
        "note": change.note,
        "progress": change.progress,
        "expected_on": change.expected_on.isoformat() if change.expected_on else None,
        "photo_url": reverse("statuses:photo", kwargs={"change_id": change.pk}) if photo else None,
        "created_at": isoformat(change.created_at),
    }


def _has_photo(change: StatusChange) -> bool:
    try:
        return change.photo is not None
    except StatusChange.photo.RelatedObjectDoesNotExist:
        return False
