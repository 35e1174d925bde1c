from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from summaries.selectors import shares_of
from workshops.models import Workshop

register = template.Library()


@register.simple_tag(takes_context=True)
def summary_shares(context: dict[str, Any], workshop: Workshop) -> list[dict[str, Any]]:
    """The workshop's active share links, as full addresses to copy and send."""
    request = context.get("request")
    shares = []
    for share in shares_of(workshop=workshop):
        path = reverse("summaries:shared", kwargs={"token": share.token})
        url = request.build_absolute_uri(path) if request is not None else path
        shares.append({"id": share.pk, "url": url, "created_at": share.created_at})
    return shares
