from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("unit/<str:code>/", views.unit_campaigns, name="unit"),
    path("<str:campaign>/unit/<str:code>/", views.plan_overview, name="overview"),
    path("<str:campaign>/unit/<str:code>/plan/", views.plan_detail, name="detail"),
    path("<str:campaign>/unit/<str:code>/plan/edit/", views.plan_edit, name="edit"),
    path("<str:campaign>/unit/<str:code>/plan/delete/", views.plan_delete, name="delete"),
    path("<str:campaign>/unit/<str:code>/plan/document/", views.plan_document, name="document"),
]
