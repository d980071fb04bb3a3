from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("export.xlsx", views.entry_export, name="export"),
    path("my-data/", views.my_data, name="my_data"),
    path("members/<str:code>/anonymise/", views.anonymise, name="anonymise"),
]
