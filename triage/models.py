from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Section(models.Model):
    """An administrative unit (administrativ enhet) that owns a queue of messages."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), related_name="sections", blank=True
    )

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Conversation(models.Model):
    """A thread (samtale/tråd): chat session, SMS thread, comment thread, DM pair."""

    channel = models.ForeignKey(
        "channels.Channel", verbose_name=_("channel"), on_delete=models.PROTECT, related_name="conversations"
    )
    external_key = models.CharField(_("external key"), max_length=300)
    title = models.CharField(_("title"), max_length=500, blank=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    last_message_at = models.DateTimeField(_("last message at"), default=timezone.now)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_key"], name="conversation_unique_key"),
        ]

    def __str__(self) -> str:
        return self.title or self.external_key


class MessageStatus(models.TextChoices):
    NEW = "new", _("new")
    CASE_RELATED = "case_related", _("case-related")
    NOT_CASE_RELATED = "not_case_related", _("not case-related")
    FORMAL_SUBMISSION_REQUESTED = "formal_submission_requested", _("formal submission requested")


class MessageDirection(models.TextChoices):
    INCOMING = "in", _("incoming")
    OUTGOING = "out", _("outgoing")


class Message(models.Model):
    """One citizen (or staff) utterance (melding), normalised from any channel."""

    channel = models.ForeignKey(
        "channels.Channel", verbose_name=_("channel"), on_delete=models.PROTECT, related_name="messages"
    )
    conversation = models.ForeignKey(
        Conversation, verbose_name=_("conversation"), on_delete=models.PROTECT, related_name="messages"
    )
    inbound_event = models.ForeignKey(
        "channels.InboundEvent",
        verbose_name=_("inbound event"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    section = models.ForeignKey(
        Section,
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
    )
    external_id = models.CharField(_("external id"), max_length=300)
    parent_external_id = models.CharField(_("reply to"), max_length=300, blank=True)
    author_name = models.CharField(_("author"), max_length=300, blank=True)
    author_handle = models.CharField(_("author handle"), max_length=300, blank=True)
    text = models.TextField(_("text"))
    sent_at = models.DateTimeField(_("sent at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    direction = models.CharField(
        _("direction"), max_length=3, choices=MessageDirection.choices, default=MessageDirection.INCOMING
    )
    status = models.CharField(
        _("status"), max_length=32, choices=MessageStatus.choices, default=MessageStatus.NEW
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_messages",
    )
    deleted_by_author = models.BooleanField(_("deleted by author"), default=False)
    first_decided_at = models.DateTimeField(
        _("first decided at"),
        null=True,
        blank=True,
        help_text=_("When the first triage decision was recorded (set by triage_decision_record)."),
    )
    # Held while the message's registration is handed to a task (sorum_archive/leases.py), so the pending
    # sweep does not hand it over again every few seconds.
    lease_until = models.DateTimeField(_("registration lease until"), null=True, blank=True, editable=False)
    extra = models.JSONField(_("provider metadata"), default=dict, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="message_unique_external_id"),
        ]
        indexes = [
            models.Index(fields=["-received_at", "-id"], name="message_inbox_idx"),
            models.Index(fields=["assignee", "-received_at", "-id"], name="message_assignee_idx"),
            models.Index(fields=["status", "-received_at", "-id"], name="message_status_idx"),
            # The channel filter and a caseworker's sections, newest first, whatever share of the
            # traffic a channel or section has (migration 0008 builds them concurrently on PostgreSQL).
            models.Index(fields=["channel", "-received_at", "-id"], name="message_channel_idx"),
            models.Index(fields=["section", "-received_at", "-id"], name="message_section_idx"),
            models.Index(
                fields=["section", "status", "-received_at", "-id"], name="message_section_status_idx"
            ),
            # Duplicate suggestions look up one author within a time window (triage.suggestions).
            models.Index(fields=["author_handle", "received_at"], name="message_author_handle_idx"),
            models.Index(Lower("author_name"), "received_at", name="message_author_name_idx"),
            # The dashboard reads a period's messages from the index alone (index-only scans).
            models.Index(
                fields=["received_at"],
                include=["section", "channel", "status", "direction", "first_decided_at"],
                name="message_dashboard_idx",
            ),
            # The backlog (undecided incoming messages) stays small: a partial index holds just those.
            models.Index(
                fields=["section", "channel", "received_at"],
                condition=models.Q(status="new", direction="in"),
                name="message_undecided_idx",
            ),
        ]
        permissions = [
            ("triage_message", _("Can triage messages in own sections")),
            ("view_all_sections", _("Can see messages of every section")),
        ]

    def __str__(self) -> str:
        return f"{self.author_name or self.author_handle}: {self.text[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("triage:message_detail", kwargs={"pk": self.pk})


class Decision(models.TextChoices):
    CASE_RELATED = "case_related", _("case-related")
    NOT_CASE_RELATED = "not_case_related", _("not case-related")
    FORMAL_SUBMISSION_REQUESTED = "formal_submission_requested", _("ask for formal submission")
    # Written by undo: the message goes back to the status before the undone decision.
    UNDONE = "undone", _("undone")


# What a caseworker can choose; «undone» is written by undo only.
DECIDABLE_CHOICES = [choice for choice in Decision.choices if choice[0] != Decision.UNDONE]


class TriageDecision(models.Model):
    """A caseworker's assessment (vurdering) of one message; append-only history."""

    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.PROTECT, related_name="decisions"
    )
    decision = models.CharField(_("decision"), max_length=32, choices=Decision.choices)
    case = models.ForeignKey(
        "journal.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="triage_decisions",
    )
    reason = models.TextField(_("reason"), blank=True)
    reply_text = models.TextField(_("reply sent to the author"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    # A client's key for one press of a decision button: a second POST with it is the same decision.
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("triage decision")
        verbose_name_plural = _("triage decisions")
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision="case_related") | models.Q(case__isnull=False),
                name="decision_case_related_has_case",
            ),
            models.UniqueConstraint(
                fields=["decided_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="decision_idempotency_key_unique",
            ),
        ]
        indexes = [
            # The registration sweep reads the last hour's case-related decisions every few seconds.
            models.Index(
                fields=["decided_at"],
                condition=models.Q(decision="case_related"),
                name="decision_case_related_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.message_id})"


class RetentionTally(models.Model):
    """How many messages of a channel and day were deleted after the retention period (statistikk only)."""

    channel = models.ForeignKey(
        "channels.Channel", verbose_name=_("channel"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("day received"))
    deleted_count = models.PositiveIntegerField(_("deleted messages"), default=0)

    class Meta:
        verbose_name = _("retention tally")
        verbose_name_plural = _("retention tallies")
        ordering = ["-day", "channel"]
        constraints = [models.UniqueConstraint(fields=["channel", "day"], name="retentiontally_unique_day")]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.day}: {self.deleted_count}"


class RetentionPolicy(models.Model):
    """The retention period (bevaringstid) of messages that are not case-related, set by the admin.

    One row at most; without it RETENTION_DAYS (settings.SORUM_RETENTION_DAYS) applies.
    """

    days = models.PositiveIntegerField(
        _("days"),
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("Messages marked not case-related are deleted this many days after they arrived."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("retention period")
        verbose_name_plural = _("retention period")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="retentionpolicy_single_row")]

    def __str__(self) -> str:
        return _("%(days)d days") % {"days": self.days}

    def save(self, *args, **kwargs) -> None:
        self.pk = 1  # the one row
        super().save(*args, **kwargs)


class RoutingRule(models.Model):
    """A section's routing rule (fordelingsregel): keywords and optionally a channel pick a section."""

    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.CASCADE, related_name="routing_rules"
    )
    keywords = models.TextField(
        _("keywords"),
        help_text=_(
            'Comma-separated or a JSON list; whole words, case-insensitive; end a keyword with "*" to match '
            "words starting with it."
        ),
    )
    channel = models.ForeignKey(
        "channels.Channel",
        verbose_name=_("channel"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
        help_text=_("Only messages from this channel; empty for every channel."),
    )
    default_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("default assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=100, help_text=_("Of the rules that match, the highest priority wins.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["-priority", "id"]

    def __str__(self) -> str:
        return f"{self.section}: {self.keywords[:60]}"

    def clean(self) -> None:
        from .suggestions.routing import parse_keywords

        if not parse_keywords(self.keywords):
            raise ValidationError({"keywords": _("Give at least one keyword.")})


class DashboardDay(models.Model):
    """Dashboard figures (statistikk) of one Europe/Oslo day, section and channel, rebuilt from messages.

    Incoming messages received that day: how many, how many are decided and case-related now, and the time
    from receipt to the first decision of each decided one (sorted microseconds, little-endian int64), from
    which the dashboard takes exact medians over any period. Derived data: triage.dashboard.rollup keeps it.
    """

    day = models.DateField(_("day received"))
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    channel = models.ForeignKey(
        "channels.Channel", verbose_name=_("channel"), on_delete=models.CASCADE, related_name="+"
    )
    received = models.PositiveIntegerField(_("received"))
    decided = models.PositiveIntegerField(_("decided"))
    case_related = models.PositiveIntegerField(_("case-related"))
    decision_times = models.BinaryField(_("times to first decision"), default=b"")

    class Meta:
        verbose_name = _("dashboard day")
        verbose_name_plural = _("dashboard days")
        indexes = [models.Index(fields=["day"], name="dashboardday_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.section_id}/{self.channel_id}: {self.received}"


class DashboardDayState(models.Model):
    """Whether a day's DashboardDay rows are complete (computed_at set) and when they were computed."""

    day = models.DateField(_("day received"), unique=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("dashboard day state")
        verbose_name_plural = _("dashboard day states")

    def __str__(self) -> str:
        return f"{self.day}: {self.computed_at}"


class DashboardDayStale(models.Model):
    """A mark that a day's DashboardDay rows may be out of date (a message of that day changed).

    Insert-only, so marking never waits on a lock; the refresh deletes exactly the marks it has read.
    """

    day = models.DateField(_("day received"), db_index=True)

    class Meta:
        verbose_name = _("stale dashboard day")
        verbose_name_plural = _("stale dashboard days")

    def __str__(self) -> str:
        return str(self.day)
