from django.contrib import admin

from .chain import chain_status
from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only trail, visible to holders of sorum_archive.view_auditevent (the admin role)."""

    list_display = ["at", "actor_username", "action", "object_type", "object_id", "summary"]
    list_filter = ["action", "object_type", "at"]
    search_fields = ["actor_username", "object_id", "summary"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    # Shows the hash chains' state above the list (templates/admin/sorum_archive/auditevent/change_list.html).
    change_list_template = "admin/sorum_archive/auditevent/change_list.html"

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "chain_status": chain_status()}
        return super().changelist_view(request, extra_context=extra_context)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
