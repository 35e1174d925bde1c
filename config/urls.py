from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("ideas.urls")),
    path("", include("summaries.urls")),
    path("", include("voting.urls")),
    path("", include("moderation.urls")),
    path("", include("challenges.urls")),
    path("", include("statuses.urls")),
    path("", include("routing.urls")),
    path("", include("selfcheck.urls")),
    path("", include("cocreation.urls")),
    path("", include("tendencies.urls")),
    path("", include("workshops.urls")),
]
