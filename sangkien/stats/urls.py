from django.urls import path

from . import views

app_name = "stats"
urlpatterns = [
    path("", views.stats_index, name="index"),
    path("public/", views.public_index, name="public"),
    path("public/<str:code>/", views.public_unit, name="public_unit"),
    path("snapshots/<int:pk>/", views.snapshot_detail, name="snapshot"),
    path("snapshots/<int:pk>/compare/", views.snapshot_compare, name="snapshot_compare"),
    path("clusters/<int:pk>/", views.cluster_detail, name="cluster"),
    path("clusters/<int:pk>/edit/", views.cluster_edit, name="cluster_edit"),
    path("clusters/<int:pk>/delete/", views.cluster_delete, name="cluster_delete"),
    path("<str:code>/", views.dashboard, name="dashboard"),
    path("<str:code>/snapshots/", views.snapshot_list, name="snapshots"),
    path("<str:code>/snapshots/new/", views.snapshot_create, name="snapshot_create"),
    path("<str:code>/clusters/", views.cluster_list, name="clusters"),
    path("<str:code>/clusters/new/", views.cluster_create, name="cluster_create"),
]
