from __future__ import annotations

from django.contrib import admin

from .models import Administration


@admin.register(Administration)
class AdministrationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "email", "active")
    list_filter = ("active",)
    search_fields = ("name", "description", "keywords")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("members",)
