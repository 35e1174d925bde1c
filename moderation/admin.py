"""Administrators set retention per workshop and read the moderation log; nobody edits the log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ModerationAction, ModerationSettings


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "workshop",
        "mode",
        "flag_threshold",
        "retention_days",
        "personal_data_erased_at",
    )
    readonly_fields = ("personal_data_erased_at",)


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "workshop", "kind", "facilitator_email", "idea_number", "reason")
    list_filter = ("kind",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
