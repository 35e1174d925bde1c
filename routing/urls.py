from __future__ import annotations

from django.urls import path

from . import views

app_name = "routing"

urlpatterns = [
    path("routing/", views.overview, name="overview"),
    path("routing/algorithm/", views.register, name="register"),
    path("routing/route/", views.route, name="route"),
    path("routing/workshops/<str:code>/", views.workshop_routing, name="workshop"),
    path("routing/challenges/<str:challenge_id>/", views.challenge_routing, name="challenge"),
    path("routing/administrations/<slug:slug>/", views.administration_inbox, name="administration"),
]
