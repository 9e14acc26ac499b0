from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only trail, visible to holders of sorum_archive.view_auditevent (the admin role)."""

    list_display = ["at", "actor_username", "action", "object_type", "object_id", "summary"]
    list_filter = ["action", "object_type", "at"]
    search_fields = ["actor_username", "object_id", "summary"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
