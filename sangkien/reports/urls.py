from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("<str:code>/", views.progress_form, name="progress"),
    path("<str:code>/progress.xlsx", views.progress_file, {"fmt": "xlsx"}, name="progress_xlsx"),
    path("<str:code>/progress.pdf", views.progress_file, {"fmt": "pdf"}, name="progress_pdf"),
]
