from __future__ import annotations

from django.urls import path

from . import open311, views

app_name = "statuses"

urlpatterns = [
    path("said/photo/<str:change_id>/", views.photo, name="photo"),
    path("said/workshop/<str:code>/", views.workshop_report_page, name="workshop_report"),
    path(
        "said/workshop/<str:code>/<str:name>",
        views.workshop_report_file,
        name="workshop_report_file",
    ),
    path(
        "said/challenge/<str:challenge_id>/",
        views.challenge_report_page,
        name="challenge_report",
    ),
    path(
        "said/challenge/<str:challenge_id>/<str:name>",
        views.challenge_report_file,
        name="challenge_report_file",
    ),
    path("said/<str:kind>/<str:item_id>/", views.item_page, name="item"),
    path("said/<str:kind>/<str:item_id>/status/", views.change, name="change"),
    path("queue/", views.queue, name="queue"),
    path("queue/answer/", views.queue_answer, name="queue_answer"),
    path("w/<str:code>/receipt/", views.receipt_from_room, name="receipt_from_room"),
    path("c/receipt/", views.receipt_from_challenges, name="receipt_from_challenges"),
    path("c/erase/", views.erase_from_challenges, name="erase_from_challenges"),
    path("r/<str:token>/", views.receipt_page, name="receipt"),
    path("r/<str:token>/qr.svg", views.receipt_qr, name="receipt_qr"),
    path("r/<str:token>/revoke/", views.receipt_revoke, name="receipt_revoke"),
    path("r/<str:token>/erase/", views.receipt_erase, name="receipt_erase"),
    path("r/<str:token>/email/", views.receipt_email, name="receipt_email"),
    path("r/<str:token>/email/stop/", views.receipt_email_stop, name="receipt_email_stop"),
    path("r/<str:token>/push/", views.receipt_push, name="receipt_push"),
    path("r/<str:token>/push/stop/", views.receipt_push_stop, name="receipt_push_stop"),
    path("push-worker.js", views.push_worker, name="push_worker"),
    path(
        "r/<str:token>/answer/<str:kind>/<str:item_id>/",
        views.receipt_answer,
        name="receipt_answer",
    ),
    path("open311/v2/discovery.<str:fmt>", open311.discovery, name="open311_discovery"),
    path("open311/v2/services.<str:fmt>", open311.services, name="open311_services"),
    path("open311/v2/requests.<str:fmt>", open311.requests, name="open311_requests"),
    path(
        "open311/v2/requests/<str:request_id>.<str:fmt>",
        open311.request_one,
        name="open311_request",
    ),
    path("mail/confirm/<str:token>/", views.confirm, name="confirm"),
    path("mail/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
