from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .codes import JOURNAL_ENTRY_TYPE_CODES, CaseStatus, JournalEntryType, JournalStatus, WriteOffMethod
from .fields import GuardedQuerySet, optional_user_fk

APPROVED_STATUSES = (JournalStatus.JOURNALFOERT, JournalStatus.EKSPEDERT, JournalStatus.ARKIVERT)


class Case(models.Model):
    """A case folder (saksmappe), numbered saksår/sakssekvensnummer, e.g. 2026/42."""

    system_id = models.UUIDField(_("system ID"), default=uuid.uuid4, unique=True, editable=False)
    year = models.PositiveIntegerField(_("case year"))
    sequence_number = models.PositiveIntegerField(_("case sequence number"))
    title = models.CharField(_("title"), max_length=500)
    public_title = models.CharField(_("public title"), max_length=500, blank=True)
    section = models.ForeignKey(
        "triage.Section", verbose_name=_("section"), on_delete=models.PROTECT, related_name="cases"
    )
    status = models.CharField(
        _("status"), max_length=40, choices=CaseStatus.choices, default=CaseStatus.UNDER_BEHANDLING
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("case officer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsible_cases",
    )
    case_date = models.DateField(_("case date"), default=timezone.localdate)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = optional_user_fk(_("closed by"))

    series = models.ForeignKey(
        "journal.Series",
        verbose_name=_("series"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    klass = models.ForeignKey(
        "journal.Klass",
        verbose_name=_("class"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    description = models.TextField(_("description"), blank=True)
    closing_reason = models.TextField(_("closing note"), blank=True)
    # Reference of this case in a remote sak- og arkivsystem (Noark 5 REST, Fiks Arkiv), when used.
    external_reference = models.CharField(_("external reference"), max_length=300, blank=True)

    objects = GuardedQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-year", "-sequence_number"]
        constraints = [models.UniqueConstraint(fields=["year", "sequence_number"], name="case_unique_number")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("journal:case_detail", kwargs={"pk": self.pk})

    @property
    def number(self) -> str:
        return f"{self.year}/{self.sequence_number}"


class JournalEntry(models.Model):
    """A registration in a case (journalpost), numbered journalår/journalsekvensnummer, e.g. 2026/17."""

    system_id = models.UUIDField(_("system ID"), default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="entries")
    year = models.PositiveIntegerField(_("journal year"))
    sequence_number = models.PositiveIntegerField(_("journal sequence number"))
    number_in_case = models.PositiveIntegerField(_("journal entry number in case"))
    entry_type = models.CharField(
        _("journal entry type"),
        max_length=60,
        choices=JournalEntryType.choices,
        default=JournalEntryType.INCOMING,
    )
    status = models.CharField(
        _("journal status"), max_length=60, choices=JournalStatus.choices, default=JournalStatus.FERDIGSTILT
    )
    title = models.CharField(_("title"), max_length=500)
    public_title = models.CharField(_("public title"), max_length=500, blank=True)
    message = models.OneToOneField(
        "triage.Message",
        verbose_name=_("message"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="journal_entry",
    )
    journal_date = models.DateField(_("journal date"), default=timezone.localdate)
    document_date = models.DateField(_("document date"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )

    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    public_assessed_date = models.DateField(_("public access assessed on"), null=True, blank=True)
    external_reference = models.CharField(_("external reference"), max_length=300, blank=True)
    returned_at = models.DateTimeField(_("returned to caseworker at"), null=True, blank=True)
    returned_by = optional_user_fk(_("returned by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = optional_user_fk(_("approved by"))
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    archived_by = optional_user_fk(_("archived by"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = optional_user_fk(_("cancelled by"))
    cancel_reason = models.TextField(_("reason for «Utgår»"), blank=True)
    write_off_date = models.DateField(_("write-off date"), null=True, blank=True)
    write_off_method = models.CharField(
        _("write-off method"), max_length=60, choices=WriteOffMethod.choices, blank=True
    )
    write_off_by = optional_user_fk(_("written off by"))
    written_off_by_entry = models.ForeignKey(
        "self",
        verbose_name=_("written off by entry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="writes_off",
    )

    objects = GuardedQuerySet.as_manager()

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["-year", "-sequence_number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence_number"], name="journalentry_unique_number"),
            models.UniqueConstraint(fields=["case", "number_in_case"], name="journalentry_unique_in_case"),
        ]
        permissions = [
            ("review_journalentry", _("Can review, approve and archive journal entries")),
            ("export_archive", _("Can export the archive (Noark 5 extract)")),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("journal:case_detail", kwargs={"pk": self.case_id})

    @property
    def number(self) -> str:
        return f"{self.year}/{self.sequence_number}"

    @property
    def case_entry_number(self) -> str:
        """saksnummer-journalpostnummer, e.g. 2026/42-3."""
        return f"{self.case.year}/{self.case.sequence_number}-{self.number_in_case}"

    @property
    def type_code(self) -> str:
        return JOURNAL_ENTRY_TYPE_CODES.get(self.entry_type, "")

    @property
    def is_approved(self) -> bool:
        """Approved once (journalført): can never be deleted, changes go to the change log."""
        return self.approved_at is not None or self.status in APPROVED_STATUSES
