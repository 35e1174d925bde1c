from __future__ import annotations

from django.urls import path

from . import views

app_name = "summaries"

urlpatterns = [
    path("facilitate/<str:code>/summary/", views.facilitator_summary, name="page"),
    path("facilitate/<str:code>/summary/share/", views.share_create, name="share"),
    path(
        "facilitate/<str:code>/summary/share/<int:share_id>/revoke/",
        views.share_revoke,
        name="revoke",
    ),
    path("facilitate/<str:code>/summary/<str:name>", views.facilitator_download, name="download"),
    path("s/<str:token>/", views.shared_summary, name="shared"),
    path("s/<str:token>/<str:name>", views.shared_download, name="shared_download"),
]
