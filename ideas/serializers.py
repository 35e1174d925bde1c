from __future__ import annotations

from typing import Any

from .models import Idea


def idea_as_dict(idea: Idea) -> dict[str, Any]:
    return {
        "id": idea.pk,
        "text": idea.text if idea.status == Idea.Status.PUBLISHED else "",
        "status": idea.status,
        "author_id": idea.author_id,
        "author_name": idea.author.display_name if idea.author else "",
        "created_at": idea.created_at.isoformat(),
        "edited": idea.revision > 1 and idea.status == Idea.Status.PUBLISHED,
        "revision": idea.revision,
    }
