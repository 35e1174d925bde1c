"""Answer templates are managed here; the status log is read here and never edited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AnswerTemplate, ItemStatus, ReopenRequest, StatusChange


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "status", "administration")
    list_filter = ("status", "administration")
    search_fields = ("name", "note")


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnly):
    list_display = ("created_at", "item_status", "status", "administration", "member_email")
    list_filter = ("status", "administration")


@admin.register(ItemStatus)
class ItemStatusAdmin(ReadOnly):
    list_display = ("title", "status", "administration", "updated_at")
    list_filter = ("status", "administration")
    search_fields = ("title",)


@admin.register(ReopenRequest)
class ReopenRequestAdmin(ReadOnly):
    list_display = ("created_at", "item_status", "solved", "comment", "handled_at")
    list_filter = ("solved",)
