from __future__ import annotations

from django.contrib import admin

from .models import Theme, ThemeLink, ThemeTag


class ThemeTagInline(admin.TabularInline):
    model = ThemeTag
    extra = 1


class ThemeLinkInline(admin.TabularInline):
    model = ThemeLink
    extra = 1


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "pk", "merged_into", "created_at")
    list_filter = ("merged_into",)
    search_fields = ("name", "tags__name")
    inlines = [ThemeTagInline, ThemeLinkInline]
