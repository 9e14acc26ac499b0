from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Channel, InboundEvent


class ChannelForm(forms.ModelForm):
    """Secrets are write-only: never rendered back; leaving the field empty keeps the stored value."""

    secret = forms.CharField(
        label=_("secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current secret."),
    )
    verify_token = forms.CharField(
        label=_("verify token"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current token."),
    )

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
            "options",
            "max_body_bytes",
        ]

    def clean_secret(self) -> str:
        return self.cleaned_data["secret"] or (self.instance.secret if self.instance.pk else "")

    def clean_verify_token(self) -> str:
        return self.cleaned_data["verify_token"] or (self.instance.verify_token if self.instance.pk else "")


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    form = ChannelForm
    list_display = ["name", "kind", "slug", "section", "enabled"]
    list_filter = ["kind", "enabled", "section"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(InboundEvent)
class InboundEventAdmin(admin.ModelAdmin):
    list_display = ["id", "channel", "received_at", "status", "event_type", "body_size"]
    list_filter = ["status", "channel"]
    readonly_fields = [f.name for f in InboundEvent._meta.fields if f.name != "body"] + ["body_text"]
    exclude = ["body"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
