from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .adapters import kind_choices
from .adapters.base import ChannelConfig


class Channel(models.Model):
    """One configured source of citizen messages (kanal): kind, credentials and routing."""

    kind = models.CharField(_("kind"), max_length=40, choices=kind_choices)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    section = models.ForeignKey(
        "triage.Section",
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="channels",
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    secret = models.CharField(_("secret"), max_length=500, blank=True)
    previous_secret = models.CharField(_("previous secret"), max_length=500, blank=True)
    previous_secret_valid_until = models.DateTimeField(
        _("previous secret valid until"), null=True, blank=True
    )
    verify_token = models.CharField(_("verify token"), max_length=500, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    max_body_bytes = models.PositiveIntegerField(_("max body size (bytes)"), default=1024 * 1024)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("channels:webhook", kwargs={"slug": self.slug})

    def config(self, *, now=None) -> ChannelConfig:
        now = now or timezone.now()
        secrets = [self.secret] if self.secret else []
        if (
            self.previous_secret
            and self.previous_secret_valid_until
            and self.previous_secret_valid_until > now
        ):
            secrets.append(self.previous_secret)
        return ChannelConfig(
            slug=self.slug, secrets=tuple(secrets), verify_token=self.verify_token, options=dict(self.options)
        )

    def rotate_secret(self, new_secret: str, *, grace: timedelta = timedelta(days=7)) -> None:
        self.previous_secret = self.secret
        self.previous_secret_valid_until = timezone.now() + grace
        self.secret = new_secret


class InboundEventStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    PARSED = "parsed", _("parsed")
    FAILED = "failed", _("failed")
    REJECTED = "rejected", _("rejected")
    IGNORED = "ignored", _("ignored")


class InboundEvent(models.Model):
    """One raw webhook delivery or poll result (innkommende hendelse), kept verbatim before anything else."""

    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="events"
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=16, choices=InboundEventStatus.choices, default=InboundEventStatus.RECEIVED
    )
    content_type = models.CharField(_("content type"), max_length=200, blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    query = models.JSONField(_("query parameters"), default=dict, blank=True)
    url = models.CharField(_("URL"), max_length=2000, blank=True)
    remote_addr = models.CharField(_("remote address"), max_length=64, blank=True)
    body = models.BinaryField(_("body"), blank=True, default=b"")
    body_size = models.PositiveIntegerField(_("body size"), default=0)
    event_type = models.CharField(_("event type"), max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveIntegerField(_("parse attempts"), default=0)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound event")
        verbose_name_plural = _("inbound events")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "received_at"], name="inboundevent_status_idx"),
            models.Index(fields=["channel", "-received_at"], name="inboundevent_channel_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel.slug} #{self.pk} ({self.status})"

    @property
    def body_text(self) -> str:
        return bytes(self.body).decode("utf-8", errors="replace")
