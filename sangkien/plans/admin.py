from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Plan


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    """Read-mostly: plans are written through the pages (which keep the counters)."""

    list_display = ["unit", "campaign", "signed_on", "employer_name"]
    list_filter = ["campaign"]
    search_fields = ["unit__code", "unit__name", "employer_name"]
    raw_id_fields = ["unit", "campaign", "created_by", "updated_by"]

    def has_add_permission(self, request: HttpRequest, obj: Plan | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Plan | None = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Plan | None = None) -> list[str]:
        return [f.name for f in Plan._meta.fields]
