from django.urls import path

from . import views

app_name = "teams"
urlpatterns = [
    path("mine/", views.my_teams, name="mine"),
    path("unit/<str:code>/", views.team_list, name="unit"),
    path("unit/<str:code>/new/", views.team_create, name="create"),
    path("<int:pk>/", views.team_detail, name="detail"),
    path("<int:pk>/edit/", views.team_edit, name="edit"),
    path("<int:pk>/members/", views.member_add, name="member_add"),
    path("<int:pk>/members/<int:user_id>/remove/", views.member_remove, name="member_remove"),
    path("<int:pk>/units/", views.served_add, name="served_add"),
    path("<int:pk>/units/<int:unit_id>/remove/", views.served_remove, name="served_remove"),
]
