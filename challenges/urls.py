from __future__ import annotations

from django.urls import path

from . import eid, views

app_name = "challenges"

urlpatterns = [
    path("challenges/", views.challenge_list, name="list"),
    path("challenges/new/", views.challenge_new, name="new"),
    path("challenges/<str:challenge_id>/", views.challenge_page, name="challenge"),
    path("challenges/<str:challenge_id>/propose/", views.propose, name="propose"),
    path("challenges/<str:challenge_id>/similar/", views.similar, name="similar"),
    path("challenges/<str:challenge_id>/moderate/", views.moderate, name="moderate"),
    path("challenges/<str:challenge_id>/retention/", views.retention, name="retention"),
    path("challenges/eid/start/", eid.eid_start, name="eid_start"),
    path("proposals/<str:proposal_id>/", views.proposal_page, name="proposal"),
    path("proposals/<str:proposal_id>/photo/", views.proposal_photo, name="photo"),
    path("proposals/<str:proposal_id>/qr.svg", views.proposal_qr, name="qr"),
    path("proposals/<str:proposal_id>/support/", views.support, name="support"),
    path("proposals/<str:proposal_id>/withdraw/", views.withdraw, name="withdraw"),
    path("proposals/<str:proposal_id>/flag/", views.flag, name="flag"),
    path("proposals/<str:proposal_id>/<str:decision>/", views.review, name="review"),
    path("cosponsor/<str:token>/", views.cosponsor, name="cosponsor"),
    path("workshops/<str:code>/to-challenge/", views.from_workshop, name="from_workshop"),
    path("api/challenges.json", views.api_challenges, name="api_challenges"),
    path("api/challenges/<str:challenge_id>.json", views.api_challenge, name="api_challenge"),
]
