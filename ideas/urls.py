from __future__ import annotations

from django.urls import path

from . import grouping_views, views

app_name = "ideas"

urlpatterns = [
    path("w/<str:code>/ideas/", views.idea_post, name="post"),
    path("w/<str:code>/ideas/<str:idea_id>/edit/", views.idea_edit, name="edit"),
    path("w/<str:code>/ideas/<str:idea_id>/withdraw/", views.idea_withdraw, name="withdraw"),
    # Grouping.
    path("w/<str:code>/ideas/similar/", grouping_views.ideas_similar, name="similar"),
    path("w/<str:code>/ideas/<str:idea_id>/move/", grouping_views.idea_move, name="move"),
    path("w/<str:code>/ideas/<str:idea_id>/merge/", grouping_views.idea_merge, name="merge"),
    path("w/<str:code>/ideas/<str:idea_id>/tags/", grouping_views.idea_tag, name="tag"),
    path(
        "w/<str:code>/grouping/permission/",
        grouping_views.grouping_permission,
        name="grouping_permission",
    ),
    path("w/<str:code>/clusters/", grouping_views.cluster_create, name="cluster_create"),
    path(
        "w/<str:code>/clusters/<str:cluster_id>/rename/",
        grouping_views.cluster_rename,
        name="cluster_rename",
    ),
    path(
        "w/<str:code>/clusters/<str:cluster_id>/delete/",
        grouping_views.cluster_delete,
        name="cluster_delete",
    ),
    path(
        "w/<str:code>/clusters/<str:cluster_id>/shift/",
        grouping_views.cluster_shift,
        name="cluster_shift",
    ),
    path(
        "w/<str:code>/clusters/<str:cluster_id>/tags/",
        grouping_views.cluster_tag,
        name="cluster_tag",
    ),
    path("w/<str:code>/suggestions/", grouping_views.clusters_suggest, name="suggest"),
    path(
        "w/<str:code>/suggestions/<str:suggestion_id>/accept/",
        grouping_views.suggestion_accept,
        name="suggestion_accept",
    ),
    path(
        "w/<str:code>/suggestions/<str:suggestion_id>/reject/",
        grouping_views.suggestion_reject,
        name="suggestion_reject",
    ),
]
