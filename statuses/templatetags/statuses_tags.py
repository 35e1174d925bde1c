"""The status of an item, for pages of the apps below that show it (a proposal's page)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from ..models import Status
from ..registry import kind_of
from ..selectors import item_status_of, timeline_of

register = template.Library()


@register.simple_tag
def item_status(item: Any) -> dict[str, Any]:
    kind = kind_of(item)
    status = item_status_of(item=item)
    return {
        "label": Status(status.status).label if status else Status.RECEIVED.label,
        "status": status,
        "timeline": timeline_of(item=item) if status else [],
        "received_at": kind.created_at(item),
        "url": reverse("statuses:item", kwargs={"kind": kind.key, "item_id": item.pk}),
    }
