from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import DispatchStatus, FiksCaseLink, FiksDispatch, FiksReply
from .services import fiks_dispatch_retry


@admin.register(FiksDispatch)
class FiksDispatchAdmin(admin.ModelAdmin):
    list_display = [
        "entry",
        "status",
        "error_code",
        "archive_case_number",
        "archive_entry_number",
        "attempts",
    ]
    list_filter = ["status", "error_code"]
    search_fields = ["message_id", "entry__title"]
    actions = ["retry"]
    readonly_fields = [f.name for f in FiksDispatch._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Send the selected failed entries again"))
    def retry(self, request, queryset) -> None:
        retried = 0
        for dispatch in queryset.filter(status=DispatchStatus.FAILED):
            try:
                fiks_dispatch_retry(dispatch=dispatch, retried_by=request.user)
                retried += 1
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
        self.message_user(request, _("%(count)d sent again.") % {"count": retried})


@admin.register(FiksReply)
class FiksReplyAdmin(admin.ModelAdmin):
    list_display = ["received_at", "message_type", "outcome", "in_reply_to", "dispatch"]
    list_filter = ["outcome", "message_type"]
    search_fields = ["message_id", "in_reply_to"]
    readonly_fields = [f.name for f in FiksReply._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FiksCaseLink)
class FiksCaseLinkAdmin(admin.ModelAdmin):
    """Link one of our cases to a case that already exists in the archive (entries then refer to it)."""

    list_display = ["case", "archive_case_number", "updated_at"]
    raw_id_fields = ["case"]
