from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sorum_archive.security.encryption import EncryptedTextField

from .adapters import kind_choices
from .adapters.base import ChannelConfig


class Channel(models.Model):
    """One configured source of citizen messages (kanal): kind, credentials and routing.

    secret, previous_secret, verify_token and api_token are encrypted at rest (SECRETS_KEYS).
    """

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
    secret = EncryptedTextField(_("secret"), max_length=500, blank=True)
    previous_secret = EncryptedTextField(_("previous secret"), max_length=500, blank=True)
    previous_secret_valid_until = models.DateTimeField(
        _("previous secret valid until"), null=True, blank=True
    )
    verify_token = EncryptedTextField(_("verify token"), max_length=500, blank=True)
    api_token = EncryptedTextField(
        _("API token"),
        max_length=2000,
        blank=True,
        help_text=_("Credential for polling and replies (access token, API key or application password)."),
    )
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

    @property
    def api_credential(self) -> str:
        """The provider credential: the write-only field, else options["api_token"] (older setups)."""
        return self.api_token or str(self.options.get("api_token", ""))

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

    # No separate FK index: inboundevent_channel_idx (channel, -received_at) serves channel lookups, and
    # every index costs on the bulk ingest path.
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="events", db_index=False
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
    # What parsing did besides creating messages: echoes matched to the outbox, deletions of messages
    # never seen, delivery receipts (issue 16). Shown in the admin next to the error.
    notes = models.TextField(_("notes"), blank=True, default="")
    attempts = models.PositiveIntegerField(_("parse attempts"), default=0)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound event")
        verbose_name_plural = _("inbound events")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "received_at"], name="inboundevent_status_idx"),
            models.Index(fields=["channel", "-received_at"], name="inboundevent_channel_idx"),
            # The channel health page's last refusal and count of failed events (issue 16): partial, so
            # the ingest path only pays for it on the rare failed or refused row.
            models.Index(
                fields=["channel", "status", "-received_at"],
                name="inboundevent_trouble_idx",
                condition=models.Q(status__in=["failed", "rejected"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel.slug} #{self.pk} ({self.status})"

    @property
    def body_text(self) -> str:
        return bytes(self.body).decode("utf-8", errors="replace")

    @property
    def headers_display(self) -> dict:
        """Headers as people may see them: secret values redacted (also rows stored before issue #14)."""
        from sorum_archive.security.redaction import redact_value

        return redact_value(dict(self.headers))

    @property
    def query_display(self) -> dict:
        from sorum_archive.security.redaction import redact_value

        return redact_value(dict(self.query))

    @property
    def url_display(self) -> str:
        from sorum_archive.security.redaction import redact_text

        return redact_text(self.url)


class DeliveryFingerprint(models.Model):
    """A signed delivery already accepted (mottatt levering): its body hash and the meaning it came with.

    Only for adapters whose signed body gets its meaning from an unsigned header (Discourse's event):
    the same body with another meaning is a replay and is refused.
    """

    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    body_sha256 = models.CharField(_("body SHA-256"), max_length=64)
    meaning = models.CharField(_("meaning"), max_length=300, blank=True)
    first_seen_at = models.DateTimeField(_("first seen at"), default=timezone.now)

    class Meta:
        verbose_name = _("delivery fingerprint")
        verbose_name_plural = _("delivery fingerprints")
        constraints = [
            models.UniqueConstraint(fields=["channel", "body_sha256"], name="deliveryfingerprint_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.body_sha256[:12]} {self.meaning}"


class PollCursor(models.Model):
    """Where polling of one channel stands (innhentingsmarkør): provider cursor, schedule and back-off.

    `state` is the poller's own cursor (page token, last id, date window). It advances in the same
    transaction that stores the fetched page as an InboundEvent, so a restart neither skips nor refetches.
    `version` guards that write against a second poller that read the same cursor.
    """

    channel = models.OneToOneField(
        Channel, verbose_name=_("channel"), on_delete=models.CASCADE, related_name="poll_cursor"
    )
    state = models.JSONField(_("cursor"), default=dict, blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    next_poll_at = models.DateTimeField(_("next poll at"), default=timezone.now)
    last_polled_at = models.DateTimeField(_("last polled at"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success at"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("poll cursor")
        verbose_name_plural = _("poll cursors")

    def __str__(self) -> str:
        return f"{self.channel.slug} @ {self.state}"


class AttachmentStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    STORED = "stored", _("stored")
    FAILED = "failed", _("failed")
    TOO_LARGE = "too_large", _("too large")


def _attachment_path(instance: MessageAttachment, filename: str) -> str:
    return f"attachments/{timezone.now():%Y/%m}/{instance.message_id}/{filename}"


class MessageAttachment(models.Model):
    """A file attached to a message (vedlegg), downloaded by a task into Django storage."""

    message = models.ForeignKey(
        "triage.Message", verbose_name=_("message"), on_delete=models.CASCADE, related_name="attachments"
    )
    source_url = models.URLField(_("source URL"), max_length=2000)
    content_type = models.CharField(_("content type"), max_length=200, blank=True)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=AttachmentStatus.choices, default=AttachmentStatus.PENDING
    )
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    stored_at = models.DateTimeField(_("stored at"), null=True, blank=True)
    # Held while a download task has the row (sorum_archive/leases.py); the pending sweep skips it.
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["message", "id"]
        constraints = [
            models.UniqueConstraint(fields=["message", "source_url"], name="attachment_unique_source"),
        ]

    def __str__(self) -> str:
        return self.filename or self.source_url

    def get_absolute_url(self) -> str:
        return reverse("channels:attachment", kwargs={"pk": self.pk})

    @property
    def is_image(self) -> bool:
        return self.status == AttachmentStatus.STORED and self.content_type.startswith("image/")


class OutboundReplyStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    # Claimed and handed to the provider; a row left here had its outcome lost (crash): never resent.
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    RECORDED = "recorded", _("recorded (not sent)")


class OutboundReply(models.Model):
    """A caseworker's reply on its way to the provider (utgående svar): the outbox row of one message."""

    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="outbound_replies"
    )
    message = models.OneToOneField(
        "triage.Message", verbose_name=_("reply message"), on_delete=models.PROTECT, related_name="outbox"
    )
    in_reply_to = models.ForeignKey(
        "triage.Message",
        verbose_name=_("in reply to"),
        on_delete=models.PROTECT,
        related_name="outbound_replies",
    )
    text = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=16, choices=OutboundReplyStatus.choices, default=OutboundReplyStatus.QUEUED
    )
    provider_message_id = models.CharField(_("provider message id"), max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Held while a send task has the row or waits for its retry (sorum_archive/leases.py).
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("outbound reply")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="outbox_status_idx")]

    def __str__(self) -> str:
        return f"{self.channel.slug} → {self.status}: {self.text[:40]}"


class ChannelAlertKind(models.TextChoices):
    SILENCE = "silence", _("silent")
    REJECTIONS = "rejections", _("rejections spike")
    POLL_FAILING = "poll_failing", _("polling fails")


class ChannelAlert(models.Model):
    """A channel that looks disconnected (kanalvarsel): silent for longer than its rhythm, refusing
    deliveries, or failing to poll. Opened and cleared by the health check (channels.alerts); one open
    alert per channel and kind, so a condition that lasts is mailed once."""

    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ChannelAlertKind.choices)
    detail = models.TextField(_("detail"), blank=True)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    last_checked_at = models.DateTimeField(_("last checked at"), default=timezone.now)
    notified_at = models.DateTimeField(_("admins notified at"), null=True, blank=True)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)

    class Meta:
        verbose_name = _("channel alert")
        verbose_name_plural = _("channel alerts")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "kind"],
                condition=models.Q(cleared_at__isnull=True),
                name="channelalert_one_open_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel.slug}: {self.get_kind_display()}"
