from __future__ import annotations

from django.urls import path

from . import views

app_name = "cocreation"

urlpatterns = [
    path("cocreation/", views.request_list, name="list"),
    path("cocreation/new/", views.request_new, name="new"),
    path("cocreation/<int:request_id>/", views.request_page, name="request"),
    path("cocreation/<int:request_id>/edit/", views.request_edit, name="edit"),
    path("cocreation/<int:request_id>/triage/", views.triage, name="triage"),
    path("cocreation/<int:request_id>/workshop/", views.workshop_start, name="workshop"),
    path("cocreation/<int:request_id>/challenge/", views.challenge_start, name="challenge"),
]
