from __future__ import annotations

from django.urls import path

from . import views

app_name = "workshops"

urlpatterns = [
    path("", views.home, name="home"),
    path("manifest.webmanifest", views.web_app_manifest, name="manifest"),
    path("j/<str:code>", views.join, name="join"),
    path("j/<str:code>/qr.svg", views.qr_code, name="qr"),
    path("w/<str:code>/", views.room, name="room"),
    path("bundle/room.<str:language>.<str:digest>.js", views.room_bundle, name="room_bundle"),
    path("w/<str:code>/name/", views.rename, name="rename"),
    path("observe/<str:token>/", views.observe, name="observe"),
    path("facilitate/", views.dashboard, name="dashboard"),
    path("facilitate/new/", views.workshop_new, name="new"),
    path("facilitate/<str:code>/", views.console, name="console"),
    path("facilitate/<str:code>/edit/", views.workshop_edit, name="edit"),
    path("facilitate/<str:code>/projector/", views.projector, name="projector"),
    path("facilitate/<str:code>/phase/", views.phase_change, name="phase"),
    path("facilitate/<str:code>/timer/", views.timer_set, name="timer"),
    path("facilitate/<str:code>/invite/", views.invite, name="invite"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]
