from django.contrib import admin

from .models import Attachment, Author, HistoryEntry, Initiative


class AuthorInline(admin.TabularInline):
    model = Author
    extra = 0
    raw_id_fields = ["member"]


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    readonly_fields = ("original_name", "kind", "content_type", "size", "uploaded_at", "removed_at")
    fields = readonly_fields


class HistoryInline(admin.TabularInline):
    model = HistoryEntry
    extra = 0
    readonly_fields = ("at", "action", "from_status", "to_status", "actor", "note")
    fields = readonly_fields
    can_delete = False


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    """Read-mostly: status changes go through the pages, which keep the history."""

    list_display = ["id", "title", "unit", "campaign", "status", "submitted_at"]
    list_filter = ["status", "campaign"]
    search_fields = ["title", "title_folded"]
    raw_id_fields = ["unit", "entered_by", "decided_by"]
    readonly_fields = [
        "status", "submitted_at", "decided_at", "decided_by", "benefit_valid_vnd",
        "decision_reason", "version",
    ]  # fmt: skip
    inlines = [AuthorInline, AttachmentInline, HistoryInline]
    show_full_result_count = False
