from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.unit_index, name="index"),
    path("search/", views.unit_search, name="search"),
    path("members/<str:code>/", views.member_detail, name="member_detail"),
    path("members/<str:code>/edit/", views.member_edit, name="member_edit"),
    path("members/<str:code>/move/", views.member_move, name="member_move"),
    path("members/<str:code>/end/", views.member_end, name="member_end"),
    path("<str:code>/", views.unit_detail, name="detail"),
    path("<str:code>/members/", views.member_list, name="members"),
    path("<str:code>/members/new/", views.member_create, name="member_create"),
    path("<str:code>/new/", views.unit_create, name="create"),
    path("<str:code>/edit/", views.unit_edit, name="edit"),
    path("<str:code>/roles/", views.grant_list, name="grants"),
    path("<str:code>/roles/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("<str:code>/move/", views.unit_move, name="move"),
    path("<str:code>/merge/", views.unit_merge, name="merge"),
    path("<str:code>/split/", views.unit_split, name="split"),
    path("<str:code>/dissolve/", views.unit_dissolve, name="dissolve"),
]
