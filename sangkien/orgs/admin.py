"""Django admin for national administrators (superusers); officers use the web UI."""

from django.contrib import admin

from .models import Member, Membership, Unit, UnitEvent, UnitVersion


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "status", "parent", "members_total"]
    list_filter = ["kind", "status"]
    search_fields = ["code", "name_folded"]
    raw_id_fields = ["parent", "successor"]
    readonly_fields = ["path", "depth", "members_total", "status", "successor", "closed_on"]

    def has_delete_permission(self, request, obj=None):
        return False  # units are closed by the reorganisation services, never deleted


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["code", "full_name", "unit", "joined_on", "left_on"]
    search_fields = ["code", "name_folded"]
    raw_id_fields = ["unit"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UnitEvent)
class UnitEventAdmin(admin.ModelAdmin):
    list_display = ["effective_on", "kind", "actor", "created_at"]
    list_filter = ["kind"]
    readonly_fields = ["kind", "effective_on", "units", "details", "note", "actor"]

    def has_add_permission(self, request):
        return False


admin.site.register(UnitVersion)
admin.site.register(Membership)
