from __future__ import annotations

from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("facilitate/<str:code>/moderation/", views.settings_update, name="settings"),
    path(
        "facilitate/<str:code>/moderation/ideas/<str:idea_id>/<str:action>/",
        views.idea_moderate,
        name="idea",
    ),
    path(
        "facilitate/<str:code>/moderation/participants/<str:participant_id>/<str:action>/",
        views.participant_moderate,
        name="participant",
    ),
    path("facilitate/<str:code>/moderation/log/", views.log_page, name="log"),
    path("facilitate/<str:code>/moderation/log.csv", views.log_csv, name="log_csv"),
    path("w/<str:code>/ideas/<str:idea_id>/flag/", views.idea_flag, name="flag"),
    path("w/<str:code>/your-data.json", views.your_data, name="your_data"),
    path("w/<str:code>/your-data/erase/", views.erase_your_data, name="erase"),
]
