from django.urls import path

from . import views

app_name = "exports"
urlpatterns = [
    path("initiatives/", views.export_initiatives, name="initiatives"),
    path("members/<str:code>/", views.export_members, name="members"),
    path("units/<str:code>/", views.export_units, name="units"),
    path("figures/<str:code>/", views.export_figures, name="figures"),
]
