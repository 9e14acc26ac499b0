from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
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
    """Changes go through archive_correct, which logs each one by its Noark name; the rest is read-only."""

    list_display = ["title", "creator_name", "status"]
    EDITABLE = ("title", "status", "creator_name", "creator_id", "description")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Archive._meta.concrete_fields if f.name not in self.EDITABLE]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        services.archive_correct(
            archive=obj, changed_by=request.user, **{f: form.cleaned_data[f] for f in self.EDITABLE}
        )


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    """Status changes go through services that log them: closing on the period page, reopening here."""

    list_display = ["title", "archive", "status", "period_start", "period_end"]
    actions = ["reopen"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["system_id", "status", "closed_at", "closed_by"]
        return [f.name for f in Series._meta.concrete_fields]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Reopen the selected closed periods (logged)"))
    def reopen(self, request, queryset) -> None:
        for series in queryset:
            try:
                services.series_reopen(
                    series=series, reopened_by=request.user, reason=f"Gjenåpnet i admin av {request.user}"
                )
            except ValidationError as exc:
                self.message_user(request, f"{series}: {' '.join(exc.messages)}", messages.ERROR)


@admin.register(ClassificationSystem)
class ClassificationSystemAdmin(admin.ModelAdmin):
    """Changes go through classification_system_correct (logged: tittel, klassifikasjonstype)."""

    list_display = ["title", "classification_type"]
    EDITABLE = ("title", "classification_type", "description")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in ClassificationSystem._meta.concrete_fields if f.name not in self.EDITABLE]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        services.classification_system_correct(
            system=obj, changed_by=request.user, **{f: form.cleaned_data[f] for f in self.EDITABLE}
        )


@admin.register(Klass)
class KlassAdmin(admin.ModelAdmin):
    """A rename of an existing class goes through klass_rename (logged); its other fields are fixed."""

    list_display = ["class_id", "title", "classification_system", "section"]
    list_filter = ["classification_system"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["system_id"]
        return [f.name for f in Klass._meta.concrete_fields if f.name != "title"]

    def save_model(self, request, obj, form, change) -> None:
        if change:
            services.klass_rename(klass=obj, changed_by=request.user, title=form.cleaned_data["title"])
        else:
            super().save_model(request, obj, form, change)


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Only the title can be corrected here (case_correct, logged once closed); status, class and
    period change on the case pages and the period page, whose services log them."""

    list_display = ["number", "title", "section", "status"]
    list_filter = ["status", "section", "year"]
    search_fields = ["title"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Case._meta.concrete_fields if f.name != "title"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        services.case_correct(case=obj, changed_by=request.user, title=form.cleaned_data["title"])


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
