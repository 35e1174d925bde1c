"""Proposals forwarded at their threshold before the forwarding recorded a status get it now.

Signed by the challenge's administration at the time it was forwarded, as the worker
records it today; nobody is told again, as this is old news.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def forwarded_statuses(apps: Any, schema_editor: Any) -> None:
    Proposal = apps.get_model("challenges", "Proposal")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ItemStatus = apps.get_model("statuses", "ItemStatus")
    StatusChange = apps.get_model("statuses", "StatusChange")
    forwarded = Proposal.objects.filter(status="forwarded", forwarded_at__isnull=False)
    if not forwarded.exists():
        return
    content_type, _created = ContentType.objects.get_or_create(
        app_label="challenges", model="proposal"
    )
    given = set(
        ItemStatus.objects.filter(content_type=content_type).values_list("object_id", flat=True)
    )
    for proposal in forwarded.select_related("challenge").order_by("pk"):
        if proposal.pk in given:
            continue  # a member has already given it a status of its own
        administration_id = proposal.challenge.administration_id
        item_status = ItemStatus.objects.create(
            content_type=content_type,
            object_id=proposal.pk,
            status="forwarded",
            administration_id=administration_id,
            title=proposal.title[:300],
            created_at=proposal.published_at or proposal.created_at,
            updated_at=proposal.forwarded_at,
            revision=1,
        )
        StatusChange.objects.create(
            item_status=item_status,
            status="forwarded",
            administration_id=administration_id,
            forwarded_to_id=administration_id,
            created_at=proposal.forwarded_at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("challenges", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("statuses", "0003_drop_followed_items"),
    ]

    operations = [migrations.RunPython(forwarded_statuses, migrations.RunPython.noop)]
