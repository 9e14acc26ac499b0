from django.contrib import admin

from .models import (
    Archive,
    Case,
    ChangeLog,
    ClassificationSystem,
    Correspondent,
    Document,
    DocumentFile,
    JournalEntry,
    Klass,
    Remark,
    Screening,
    Series,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Archive records change only through the services (which log); the admin shows them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Archive)
class ArchiveAdmin(admin.ModelAdmin):
    list_display = ["title", "creator_name", "status"]
    readonly_fields = ["system_id"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "archive", "status", "period_start", "period_end"]
    readonly_fields = ["system_id"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ClassificationSystem)
class ClassificationSystemAdmin(admin.ModelAdmin):
    list_display = ["title", "classification_type"]
    readonly_fields = ["system_id"]


@admin.register(Klass)
class KlassAdmin(admin.ModelAdmin):
    list_display = ["class_id", "title", "classification_system", "section"]
    list_filter = ["classification_system"]
    readonly_fields = ["system_id"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "section", "status"]
    list_filter = ["status", "section", "year"]
    search_fields = ["title"]
    readonly_fields = ["system_id", "year", "sequence_number"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CorrespondentInline(admin.TabularInline):
    model = Correspondent
    extra = 0
    can_delete = False
    readonly_fields = ["correspondent_type", "name", "email", "phone", "handle"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    """Read-only: approval, corrections and «Utgår» go through the review pages, which log every change."""

    list_display = ["number", "case", "entry_type", "status", "title"]
    list_filter = ["status", "entry_type", "year"]
    raw_id_fields = ["case", "message"]
    inlines = [CorrespondentInline]


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["entry", "number", "relation", "document_type", "title"]


@admin.register(DocumentFile)
class DocumentFileAdmin(ReadOnlyAdmin):
    list_display = ["document", "version", "variant", "format", "size", "checksum"]


@admin.register(ChangeLog)
class ChangeLogAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "entity_type", "system_id", "field", "changed_by_name"]
    list_filter = ["entity_type", "field"]


@admin.register(Remark)
class RemarkAdmin(ReadOnlyAdmin):
    list_display = ["remarked_at", "remark_type", "text", "remarked_by"]


@admin.register(Screening)
class ScreeningAdmin(ReadOnlyAdmin):
    list_display = ["access_restriction", "legal_basis", "case", "entry", "document"]
