from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from sorum_archive.security.client_ip import client_ip_address

from .adapters.base import MalformedPayload
from .forms import MeetingUploadForm
from .models import Channel, InboundEvent, InboundEventStatus, MessageAttachment, OutboundReply, PollCursor
from .selectors import channel_health
from .services import (
    channel_rotate_secret,
    inbound_event_replay,
    inbound_events_replay_failed,
    meeting_file_import,
)


def _write_only(label, help_text):
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=help_text,
    )


class ChannelForm(forms.ModelForm):
    """Secrets are write-only: never rendered back; leaving the field empty keeps the stored value."""

    secret = _write_only(_("secret"), _("Leave empty to keep the current secret."))
    rotate_secret = _write_only(
        _("rotate secret"),
        _("A new secret here replaces the current one; the old one stays valid for the grace period."),
    )
    rotate_grace_hours = forms.IntegerField(
        label=_("grace period (hours)"), min_value=0, max_value=24 * 90, initial=168, required=False
    )
    verify_token = _write_only(_("verify token"), _("Leave empty to keep the current token."))
    api_token = _write_only(_("API token"), _("Leave empty to keep the current token."))

    class Meta:
        model = Channel
        fields = [
            "kind",
            "slug",
            "name",
            "section",
            "enabled",
            "secret",
            "verify_token",
            "api_token",
            "options",
            "max_body_bytes",
        ]

    def _keep(self, name: str) -> str:
        return self.cleaned_data[name] or (getattr(self.instance, name) if self.instance.pk else "")

    def clean_secret(self) -> str:
        return self._keep("secret")

    def clean_verify_token(self) -> str:
        return self._keep("verify_token")

    def clean_api_token(self) -> str:
        return self._keep("api_token")


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    form = ChannelForm
    list_display = ["name", "kind", "slug", "section", "enabled"]
    list_filter = ["kind", "enabled", "section"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["health"]
    actions = ["replay_failed_events"]

    def get_fieldsets(self, request, obj=None):
        fields = [
            "kind",
            "slug",
            "name",
            "section",
            "enabled",
            "secret",
            "verify_token",
            "api_token",
            "options",
            "max_body_bytes",
        ]
        sets = [(None, {"fields": fields})]
        if obj is not None:
            sets.append((_("Rotate secret"), {"fields": ["rotate_secret", "rotate_grace_hours"]}))
            sets.insert(0, (_("Health"), {"fields": ["health"]}))
        return sets

    @admin.display(description=_("health (last 24 h)"))
    def health(self, obj: Channel) -> str:
        if obj is None or not obj.pk:
            return "-"
        # render_to_string returns a SafeString: every value in the fragment (the last error too) is
        # auto-escaped by the template, so nothing is marked safe by hand here.
        return render_to_string(
            "admin/channels/_channel_health.html",
            {
                "channel": obj,
                "health": channel_health(channel=obj),
                "replay_url": reverse("admin:channels_channel_replay_failed", args=[obj.pk]),
                "meeting_url": reverse("admin:channels_channel_import_meeting", args=[obj.pk]),
            },
        )

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        new_secret = form.cleaned_data.get("rotate_secret")
        if change and new_secret:
            grace = form.cleaned_data.get("rotate_grace_hours")
            channel_rotate_secret(
                channel=obj, new_secret=new_secret, grace_hours=168 if grace is None else grace
            )
            messages.success(
                request, _("The secret was rotated; the old one stays valid for the grace period.")
            )

    @admin.action(description=_("Replay failed events"))
    def replay_failed_events(self, request, queryset) -> None:
        total = sum(inbound_events_replay_failed(channel=channel) for channel in queryset)
        messages.success(request, _("%(count)d failed events sent to the parser again.") % {"count": total})

    def get_urls(self):
        own = [
            path(
                "<int:pk>/replay-failed/",
                self.admin_site.admin_view(self.replay_failed_view),
                name="channels_channel_replay_failed",
            ),
            path(
                "<int:pk>/import-meeting/",
                self.admin_site.admin_view(self.import_meeting_view),
                name="channels_channel_import_meeting",
            ),
        ]
        return own + super().get_urls()

    def _channel_for_change(self, request: HttpRequest, pk: int) -> Channel:
        channel = get_object_or_404(Channel, pk=pk)
        if not self.has_change_permission(request, channel):
            raise PermissionDenied
        return channel

    def replay_failed_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return require_POST(self._replay_failed)(request, pk)

    def _replay_failed(self, request: HttpRequest, pk: int) -> HttpResponse:
        channel = self._channel_for_change(request, pk)
        count = inbound_events_replay_failed(channel=channel)
        messages.success(request, _("%(count)d failed events sent to the parser again.") % {"count": count})
        return HttpResponseRedirect(reverse("admin:channels_channel_change", args=[pk]))

    def import_meeting_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        channel = self._channel_for_change(request, pk)
        if channel.kind != "meeting":
            raise PermissionDenied
        form = MeetingUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            event = meeting_file_import(
                channel=channel,
                filename=upload.name,
                body=upload.read(),
                meeting=form.cleaned_data["meeting"],
                title=form.cleaned_data["title"],
                uploaded_by=request.user.get_username(),
                remote_addr=client_ip_address(request),
            )
            if event.status == InboundEventStatus.PARSED:
                messages.success(
                    request, _("Meeting imported: %(count)d messages.") % {"count": event.messages.count()}
                )
                return HttpResponseRedirect(reverse("admin:channels_channel_change", args=[pk]))
            form.add_error("file", event.error or event.status)
        context = {
            **self.admin_site.each_context(request),
            "channel": channel,
            "form": form,
            "opts": self.model._meta,
            "title": _("Import meeting file"),
        }
        return render(request, "admin/channels/import_meeting.html", context)


@admin.register(InboundEvent)
class InboundEventAdmin(admin.ModelAdmin):
    list_display = ["id", "channel", "received_at", "status", "event_type", "body_size"]
    list_filter = ["status", "channel"]
    # Headers, query and URL only in their redacted form (a shared token may sit in older rows).
    readonly_fields = [
        f.name for f in InboundEvent._meta.fields if f.name not in ("body", "headers", "query", "url")
    ] + ["redacted_url", "redacted_headers", "redacted_query", "body_text"]
    exclude = ["body", "headers", "query", "url"]

    @admin.display(description=_("URL"))
    def redacted_url(self, obj: InboundEvent) -> str:
        return obj.url_display

    @admin.display(description=_("headers"))
    def redacted_headers(self, obj: InboundEvent) -> dict:
        return obj.headers_display

    @admin.display(description=_("query parameters"))
    def redacted_query(self, obj: InboundEvent) -> dict:
        return obj.query_display

    actions = ["replay"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Replay the selected failed events"), permissions=["change"])
    def replay(self, request, queryset) -> None:
        count = 0
        for event in queryset.filter(status__in=[InboundEventStatus.FAILED, InboundEventStatus.RECEIVED]):
            try:
                inbound_event_replay(event=event)
            except MalformedPayload:
                continue
            count += 1
        messages.success(request, _("%(count)d events sent to the parser again.") % {"count": count})


@admin.register(PollCursor)
class PollCursorAdmin(admin.ModelAdmin):
    list_display = ["channel", "next_poll_at", "last_success_at", "consecutive_failures"]
    readonly_fields = ["channel", "state", "version", "last_polled_at", "last_success_at", "last_error"]
    fields = readonly_fields + ["next_poll_at", "consecutive_failures"]


@admin.register(MessageAttachment)
class MessageAttachmentAdmin(admin.ModelAdmin):
    list_display = ["id", "message", "filename", "content_type", "size", "status"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in MessageAttachment._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(OutboundReply)
class OutboundReplyAdmin(admin.ModelAdmin):
    list_display = ["id", "channel", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "channel"]
    readonly_fields = [f.name for f in OutboundReply._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
