from __future__ import annotations

from django.urls import path

from . import views

app_name = "selfcheck"

urlpatterns = [
    path("self-check/", views.totals, name="totals"),
    path("facilitate/<str:code>/self-check/", views.self_check, name="workshop"),
]
