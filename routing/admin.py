from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Routing, RoutingModel


@admin.register(Routing)
class RoutingAdmin(admin.ModelAdmin):
    list_display = ("kind", "object_id", "administration", "method", "agreed", "decided_at")
    list_filter = ("kind", "method", "agreed", "administration")
    search_fields = ("text",)
    raw_id_fields = ("workshop", "decided_by")


@admin.register(RoutingModel)
class RoutingModelAdmin(admin.ModelAdmin):
    list_display = ("version", "created_at", "examples")
    # A stored model is a record of what served when: never edited by hand.
    readonly_fields = (
        "version",
        "created_at",
        "examples",
        "fingerprint",
        "administrations",
        "figures",
    )
    exclude = ("pipeline",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
