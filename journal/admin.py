from django.contrib import admin

from .models import Case, JournalEntry


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "section", "status"]
    list_filter = ["status", "section", "year"]
    search_fields = ["title"]


@admin.register(JournalEntry)
class JournalEntryAdmin(admin.ModelAdmin):
    list_display = ["number", "case", "entry_type", "status", "title"]
    list_filter = ["status", "entry_type", "year"]
    raw_id_fields = ["case", "message"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
