from django.contrib import admin

from .models import ServedUnit, Team, TeamMember


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    raw_id_fields = ["user", "added_by"]


class ServedUnitInline(admin.TabularInline):
    model = ServedUnit
    extra = 0
    raw_id_fields = ["unit", "added_by"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "unit"]
    list_filter = ["kind"]
    search_fields = ["name", "unit__code"]
    raw_id_fields = ["unit", "created_by"]
    inlines = [TeamMemberInline, ServedUnitInline]
