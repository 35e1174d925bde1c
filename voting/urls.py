from __future__ import annotations

from django.urls import path

from . import views

app_name = "voting"

urlpatterns = [
    path("w/<str:code>/votes/", views.vote, name="vote"),
    path("facilitate/<str:code>/voting/rules/", views.rules, name="rules"),
    path("facilitate/<str:code>/voting/reveal/", views.reveal, name="reveal"),
]
