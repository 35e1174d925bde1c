from __future__ import annotations

from django.urls import path

from . import views

app_name = "ideas"

urlpatterns = [
    path("w/<str:code>/ideas/", views.idea_post, name="post"),
    path("w/<str:code>/ideas/<str:idea_id>/edit/", views.idea_edit, name="edit"),
    path("w/<str:code>/ideas/<str:idea_id>/withdraw/", views.idea_withdraw, name="withdraw"),
]
