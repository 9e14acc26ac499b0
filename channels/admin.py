from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from sorum_archive.security.client_ip import client_ip_address

from .adapters import ADAPTERS
from .forms import MeetingUploadForm
from .models import (
    Channel,
    ChannelAlert,
    InboundEvent,
    InboundEventStatus,
    MessageAttachment,
    OutboundReply,
    PollCursor,
)
from .selectors import channel_alerts_open, channel_health, channels_health_list
from .services import (
    channel_rotate_secret,
    inbound_events_replay_now,
    meeting_file_import,
)


def replay_result_message(counts: dict[str, int]) -> str:
    """What a replay did, for message_user: how many parsed, failed again, ignored, queued, skipped."""
    replayed = sum(counts[s] for s in InboundEventStatus.values)
    text = _(
        "%(replayed)d events replayed: %(parsed)d parsed, %(failed)d failed again, %(ignored)d ignored."
    ) % {
        "replayed": replayed,
        "parsed": counts[InboundEventStatus.PARSED],
        "failed": counts[InboundEventStatus.FAILED],
        "ignored": counts[InboundEventStatus.IGNORED],
    }
    if counts["queued"]:
        text += " " + _("%(count)d more sent to the parser queue.") % {"count": counts["queued"]}
    if counts["skipped"]:
        text += " " + _("%(count)d skipped (not failed).") % {"count": counts["skipped"]}
    return text


def _replay_level(counts: dict[str, int]) -> int:
    return messages.WARNING if counts[InboundEventStatus.FAILED] else messages.SUCCESS


def _write_only(label, help_text):
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=help_text,
    )


SETUP_HELP = {
    "secret": _("The signing secret the provider gives you (app secret, auth token or webhook secret)."),
    "verify_token": _(
        "A word you choose and also type into the provider's webhook form (Meta's verify token)."
    ),
    "api_token": _("The provider's access token or API key, for polling comments and sending replies."),
    "options": _('Settings for this kind as JSON, for example {"allowed_ips": ["192.0.2.10"]}.'),
}
PROVIDER_NAMES = {
    "twilio": "Twilio",
    "pswincom": "PSWinCom / LINK Mobility",
    "sveve": "Sveve",
    "chatwoot": "Chatwoot",
    "intercom": "Intercom",
    "rocketchat": "Rocket.Chat",
}


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
    provider = forms.ChoiceField(
        label=_("provider"), required=False, help_text=_("The service that delivers this channel's messages.")
    )

    # Set by ChannelAdmin.get_form: the kind this form is for (its adapter says which fields it needs).
    setup_kind = ""

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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        adapter = ADAPTERS.get(self.instance.kind if self.instance.pk else self.setup_kind)
        if adapter is None:
            return
        if not self.instance.pk:
            # A new channel: the form asks for the secret itself, not "leave empty to keep".
            for name, help_text in SETUP_HELP.items():
                if name in self.fields:
                    self.fields[name].help_text = help_text
                    self.fields[name].required = name in adapter.required_fields
        if "provider" in self.fields:
            self.fields["provider"].choices = [("", "---------")] + [
                (p, PROVIDER_NAMES.get(p, p)) for p in adapter.providers
            ]
            self.fields["provider"].required = bool(adapter.providers)
            self.fields["provider"].initial = (self.instance.options or {}).get("provider", "")
        if "kind" in self.fields and not self.instance.pk:
            self.fields["kind"].widget = forms.HiddenInput()
            self.fields["kind"].initial = self.setup_kind

    def clean(self) -> dict:
        data = super().clean()
        adapter = ADAPTERS.get(data.get("kind") or self.instance.kind)
        if adapter is None:
            return data
        for name in adapter.required_fields:
            # On a change an empty field keeps the stored value (clean_<name>); only a missing one is refused.
            if name in self.fields and name not in self.errors and not data.get(name):
                self.add_error(name, _("This kind of channel needs it."))
        provider = data.get("provider") or ""
        if adapter.providers and provider in adapter.providers:
            data["options"] = {**(data.get("options") or {}), "provider": provider}
        return data

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
    actions = ["replay_failed_events"]

    def _kind(self, request, obj=None) -> str:
        if obj is not None:
            return obj.kind
        kind = request.POST.get("kind") or request.GET.get("kind") or ""
        return kind if kind in ADAPTERS else ""

    def get_fieldsets(self, request, obj=None):
        adapter = ADAPTERS.get(self._kind(request, obj))
        own = list(adapter.setup_fields) if adapter else ["secret", "verify_token", "api_token", "options"]
        if adapter and adapter.providers:
            own.insert(0, "provider")
        fields = ["kind", "name", "slug", "section", "enabled", *own]
        sets = [
            (None, {"fields": fields}),
            (_("Advanced"), {"fields": ["max_body_bytes"], "classes": ["collapse"]}),
        ]
        if obj is not None:
            if "secret" in own:
                sets.append((_("Rotate secret"), {"fields": ["rotate_secret", "rotate_grace_hours"]}))
            sets.insert(0, (_("Set-up at the provider"), {"fields": ["setup"]}))
            sets.insert(0, (_("Health"), {"fields": ["health"]}))
        return sets

    def get_readonly_fields(self, request, obj=None):
        # The kind decides the URL and the fields; a channel of another kind is a new channel.
        return ["health", "setup", "kind"] if obj is not None else ["health"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"setup_kind": self._kind(request, obj)})

    def add_view(self, request, form_url="", extra_context=None):
        """First the kind (each explained), then a form with only that kind's fields."""
        if not self._kind(request):
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Add a channel: choose its kind"),
                "kinds": [
                    {"kind": kind, "name": adapter.display_name, "note": gettext(adapter.setup_note)}
                    for kind, adapter in sorted(ADAPTERS.items(), key=lambda item: item[1].display_name)
                ],
            }
            return render(request, "admin/channels/channel/choose_kind.html", context)
        return super().add_view(request, form_url, extra_context)

    def response_add(self, request, obj, post_url_continue=None):
        # Straight to the channel's page: it shows the webhook URL, the verify token and the set-up steps.
        messages.success(request, _("The channel is created. Give the provider the details below."))
        return HttpResponseRedirect(reverse("admin:channels_channel_change", args=[obj.pk]))

    @admin.display(description=_("what the provider needs"))
    def setup(self, obj: Channel) -> str:
        if obj is None or not obj.pk:
            return "-"
        adapter = ADAPTERS.get(obj.kind)
        return render_to_string(
            "admin/channels/_channel_setup.html",
            {
                "channel": obj,
                "webhook_url": settings.SITE_URL.rstrip("/") + obj.get_absolute_url()
                if adapter is None or adapter.has_webhook
                else "",
                "guestbook_url": settings.SITE_URL.rstrip("/") + f"/gjestebok/{obj.slug}/"
                if obj.kind == "guestbook"
                else "",
                "verify_token": obj.verify_token
                if adapter and "verify_token" in adapter.setup_fields
                else "",
                "note": gettext(adapter.setup_note) if adapter and adapter.setup_note else "",
            },
        )

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
        ids = list(
            InboundEvent.objects.filter(channel__in=queryset, status=InboundEventStatus.FAILED).values_list(
                "pk", flat=True
            )
        )
        counts = inbound_events_replay_now(event_ids=ids)
        self.message_user(request, replay_result_message(counts), _replay_level(counts))

    def get_urls(self):
        own = [
            path("health/", self.admin_site.admin_view(self.health_view), name="channels_channel_health"),
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
        ids = list(
            InboundEvent.objects.filter(channel=channel, status=InboundEventStatus.FAILED).values_list(
                "pk", flat=True
            )
        )
        counts = inbound_events_replay_now(event_ids=ids)
        self.message_user(request, replay_result_message(counts), _replay_level(counts))
        back = request.POST.get("next", "")
        if back == "health":
            return HttpResponseRedirect(reverse("admin:channels_channel_health"))
        return HttpResponseRedirect(reverse("admin:channels_channel_change", args=[pk]))

    def health_view(self, request: HttpRequest) -> HttpResponse:
        """Every channel's health on one page: deliveries, refusals, failure rates, polling, outbox."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Channel health"),
            "states": channels_health_list(),
            "alerts": channel_alerts_open(),
            "can_replay": self.has_change_permission(request),
        }
        return render(request, "admin/channels/channel/health.html", context)

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
        counts = inbound_events_replay_now(event_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, replay_result_message(counts), _replay_level(counts))


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


@admin.register(ChannelAlert)
class ChannelAlertAdmin(admin.ModelAdmin):
    """Alerts are opened and cleared by the health check only; whoever may see channels sees them."""

    list_display = ["channel", "kind", "opened_at", "cleared_at", "notified_at", "detail"]
    list_filter = ["kind", ("cleared_at", admin.EmptyFieldListFilter), "channel"]
    readonly_fields = [f.name for f in ChannelAlert._meta.fields]

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("channels.view_channel")

    def has_module_permission(self, request) -> bool:
        return request.user.has_perm("channels.view_channel")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
