from django.contrib import admin

from .models import ApplicationField, Campaign, Phase


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


class FieldInline(admin.TabularInline):
    model = ApplicationField
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "owner", "starts_on", "ends_on"]
    search_fields = ["code", "name"]
    raw_id_fields = ["owner"]
    inlines = [PhaseInline, FieldInline]
