from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DispatchStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent to the archive")
    RECEIVED = "received", _("Received by the archive")
    ARCHIVED = "archived", _("Archived")
    FAILED = "failed", _("Failed")


class DispatchError(models.TextChoices):
    """Why a dispatch failed: our own schema check, the archive's feilmelding, or the transport."""

    INVALID = "invalid", _("Message did not validate against the Fiks Arkiv schemas")
    BAD_REQUEST = "ugyldigforespoersel", _("The archive rejected the message as invalid")
    NOT_FOUND = "ikkefunnet", _("The archive did not find the case")
    SERVER_ERROR = "serverfeil", _("The archive had a server error")
    KVITTERING = "kvittering", _("The archive's receipt reported a failure")


class FiksDispatch(models.Model):
    """One journal entry's journey to the sak- og arkivsystem as an arkivmelding (Fiks Arkiv utsending)."""

    entry = models.OneToOneField(
        "journal.JournalEntry",
        verbose_name=_("journal entry"),
        on_delete=models.PROTECT,
        related_name="fiks_dispatch",
    )
    message_id = models.UUIDField(_("message ID"), default=uuid.uuid4, unique=True)
    previous_message_ids = models.JSONField(_("earlier message IDs"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=DispatchStatus.choices, default=DispatchStatus.PENDING
    )
    case_reference = models.CharField(_("case reference"), max_length=16, blank=True)
    attempts = models.PositiveIntegerField(_("send attempts"), default=0)
    payload_xml = models.TextField(_("arkivmelding"), blank=True)
    error_code = models.CharField(_("error"), max_length=32, choices=DispatchError.choices, blank=True)
    error_text = models.TextField(_("error details"), blank=True)
    archive_case_year = models.PositiveIntegerField(_("archive case year"), null=True, blank=True)
    archive_case_sequence_number = models.PositiveIntegerField(
        _("archive case sequence number"), null=True, blank=True
    )
    archive_case_system_id = models.CharField(_("archive case system ID"), max_length=64, blank=True)
    archive_journal_year = models.PositiveIntegerField(_("archive journal year"), null=True, blank=True)
    archive_journal_sequence_number = models.PositiveIntegerField(
        _("archive journal sequence number"), null=True, blank=True
    )
    archive_entry_number = models.PositiveIntegerField(_("archive journalpostnummer"), null=True, blank=True)
    archive_entry_system_id = models.CharField(_("archive entry system ID"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received by archive at"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    retried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last retried by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("Fiks Arkiv dispatch")
        verbose_name_plural = _("Fiks Arkiv dispatches")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="fiksdispatch_status_idx")]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.status} {self.message_id}"

    @property
    def archive_case_number(self) -> str:
        if self.archive_case_year is None:
            return ""
        return f"{self.archive_case_year}/{self.archive_case_sequence_number}"

    @property
    def archive_journal_number(self) -> str:
        if self.archive_journal_year is None:
            return ""
        return f"{self.archive_journal_year}/{self.archive_journal_sequence_number}"

    @property
    def is_retryable(self) -> bool:
        return self.status == DispatchStatus.FAILED


class FiksCaseLink(models.Model):
    """Our case's counterpart in the sak- og arkivsystem (the archive's saksnummer and systemID)."""

    case = models.OneToOneField(
        "journal.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="fiks_link"
    )
    archive_case_year = models.PositiveIntegerField(_("archive case year"))
    archive_case_sequence_number = models.PositiveIntegerField(_("archive case sequence number"))
    archive_system_id = models.CharField(_("archive case system ID"), max_length=64, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("Fiks Arkiv case link")
        verbose_name_plural = _("Fiks Arkiv case links")

    def __str__(self) -> str:
        return f"{self.case_id} -> {self.archive_case_number}"

    @property
    def archive_case_number(self) -> str:
        return f"{self.archive_case_year}/{self.archive_case_sequence_number}"


class ReplyOutcome(models.TextChoices):
    APPLIED = "applied", _("Applied")
    UNMATCHED = "unmatched", _("Matches no sent message")
    DUPLICATE = "duplicate", _("Duplicate delivery")
    UNREADABLE = "unreadable", _("Unreadable")
    IGNORED = "ignored", _("Ignored (unexpected type or state)")


class FiksReply(models.Model):
    """A message from the archive answering one of ours (mottatt, kvittering, feilmelding), kept as is."""

    message_id = models.UUIDField(_("message ID"), unique=True)
    message_type = models.CharField(_("message type"), max_length=120)
    in_reply_to = models.UUIDField(_("in reply to"), null=True, blank=True, db_index=True)
    dispatch = models.ForeignKey(
        FiksDispatch,
        verbose_name=_("dispatch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
    )
    sender = models.CharField(_("sender account"), max_length=120, blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    payload = models.BinaryField(_("payload"), blank=True, default=b"")
    outcome = models.CharField(_("outcome"), max_length=16, choices=ReplyOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("Fiks Arkiv reply")
        verbose_name_plural = _("Fiks Arkiv replies")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.message_type} -> {self.in_reply_to}"
