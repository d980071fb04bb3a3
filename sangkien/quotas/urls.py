from django.urls import path

from . import views

app_name = "quotas"
urlpatterns = [
    path("", views.quota_index, name="index"),
    path("<str:code>/", views.unit_quotas, name="unit"),
    path("<str:code>/allocate/", views.quota_allocate, name="allocate"),
    path("<str:code>/target/", views.quota_target, name="target"),
    path("<str:code>/own/", views.quota_own, name="own"),
    path("<str:code>/upload/", views.quota_upload, name="upload"),
    path("<str:code>/template.xlsx", views.quota_template, name="template"),
]
