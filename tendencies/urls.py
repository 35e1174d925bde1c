from __future__ import annotations

from django.urls import path

from . import views

app_name = "tendencies"

urlpatterns = [
    path("tendencies/", views.tendencies, name="page"),
    path("tendencies.csv", views.tendencies_csv, name="csv"),
    path("tendencies.json", views.tendencies_json, name="json"),
    path("tendencies/themes/", views.themes_page, name="themes"),
    path("tendencies/themes/adopt/", views.theme_adopt, name="adopt"),
    path("tendencies/themes/put/", views.theme_put, name="put"),
    path("tendencies/themes/<int:theme_id>/", views.theme_page, name="theme"),
    path("what-we-hear/", views.what_we_hear, name="public"),
]
