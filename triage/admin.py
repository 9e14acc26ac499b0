from django.contrib import admin

from .dashboard.rollup import dashboard_days_mark_stale
from .models import (
    Conversation,
    Message,
    RetentionPolicy,
    RetentionTally,
    RoutingRule,
    Section,
    TriageDecision,
)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    filter_horizontal = ["members"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "channel", "author_name", "sent_at", "status"]
    list_filter = ["status", "channel", "section"]
    search_fields = ["text", "author_name", "author_handle"]
    raw_id_fields = ["conversation", "inbound_event", "assignee"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        # An edited status, section or time changes the dashboard's figures of the day(s) involved.
        moments = [obj.received_at, form.initial.get("received_at")]
        dashboard_days_mark_stale(received_at=[moment for moment in moments if moment])

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["id", "channel", "external_key", "last_message_at"]


@admin.register(TriageDecision)
class TriageDecisionAdmin(admin.ModelAdmin):
    list_display = ["message", "decision", "case", "decided_by", "decided_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RetentionTally)
class RetentionTallyAdmin(admin.ModelAdmin):
    list_display = ["day", "channel", "deleted_count"]
    list_filter = ["channel"]
    date_hierarchy = "day"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["section", "keywords", "channel", "default_assignee", "priority", "active"]
    list_filter = ["active", "section", "channel"]
    search_fields = ["keywords"]
    raw_id_fields = ["default_assignee"]


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    """The retention period as an admin setting: one row, never deleted (then RETENTION_DAYS applies)."""

    list_display = ["__str__", "updated_at"]

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not RetentionPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
