from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.unit_index, name="index"),
    path("<str:code>/", views.unit_detail, name="detail"),
]
