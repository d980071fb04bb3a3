from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Quota, QuotaChange


class QuotaChangeInline(admin.TabularInline):
    model = QuotaChange
    extra = 0
    can_delete = False
    fields = ("at", "field", "before", "after", "by", "note")
    readonly_fields = ("at", "field", "before", "after", "by", "note")

    def has_add_permission(
        self, request: HttpRequest, obj: Any = None
    ) -> bool:  # history is written by the services
        return False


@admin.register(Quota)
class QuotaAdmin(admin.ModelAdmin):
    list_display = ["unit", "campaign", "phase", "assigned", "target", "updated_at"]
    list_filter = ["campaign"]
    search_fields = ["unit__code", "unit__name"]
    raw_id_fields = ["unit"]
    readonly_fields = ["unit", "campaign", "phase", "assigned", "target", "version", "updated_by"]
    inlines = [QuotaChangeInline]

    def has_add_permission(
        self, request: HttpRequest
    ) -> bool:  # quotas change through the allocation page
        return False

    def has_change_permission(self, request: HttpRequest, obj: Quota | None = None) -> bool:
        return False


@admin.register(QuotaChange)
class QuotaChangeAdmin(admin.ModelAdmin):
    list_display = ["at", "quota", "field", "before", "after", "by"]
    list_select_related = ["quota", "by"]
    readonly_fields = ["quota", "field", "before", "after", "by", "at", "note"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: QuotaChange | None = None) -> bool:
        return False
