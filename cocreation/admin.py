from __future__ import annotations

from django.contrib import admin

from .models import CoCreationRequest


@admin.register(CoCreationRequest)
class CoCreationRequestAdmin(admin.ModelAdmin):
    list_display = ("title", "administration", "status", "created_at")
    list_filter = ("status", "administration")
    search_fields = ("title", "goals")
    raw_id_fields = ("requested_by", "triaged_by")
    filter_horizontal = ("workshops", "challenges")
