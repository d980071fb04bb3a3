"""Django admin for national administrators (superusers); officers use the web UI."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Member, Membership, Unit, UnitEvent, UnitVersion


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "status", "parent", "members_total"]
    list_filter = ["kind", "status"]
    search_fields = ["code", "name_folded"]
    raw_id_fields = ["parent", "successor"]
    readonly_fields = ["path", "depth", "members_total", "status", "successor", "closed_on"]

    def has_delete_permission(self, request: HttpRequest, obj: Unit | None = None) -> bool:
        return False  # units are closed by the reorganisation services, never deleted


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["code", "full_name", "unit", "joined_on", "left_on"]
    search_fields = ["code", "name_folded"]
    raw_id_fields = ["unit"]

    def has_delete_permission(self, request: HttpRequest, obj: Member | None = None) -> bool:
        return False


@admin.register(UnitEvent)
class UnitEventAdmin(admin.ModelAdmin):
    list_display = ["effective_on", "kind", "actor", "created_at"]
    list_filter = ["kind"]
    readonly_fields = ["kind", "effective_on", "units", "details", "note", "actor"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


admin.site.register(UnitVersion)
admin.site.register(Membership)
