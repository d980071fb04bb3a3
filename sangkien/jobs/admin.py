from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "label", "user", "status", "done", "total", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("label", "user__username")
    raw_id_fields = ("user", "unit")
    readonly_fields = ("task_id", "created_at", "started_at", "finished_at")
