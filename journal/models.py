from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SequenceCounter(models.Model):
    """The last number handed out per kind and year; locked with SELECT ... FOR UPDATE (gapless numbers)."""

    class Kind(models.TextChoices):
        CASE = "case", _("case number")
        JOURNAL = "journal", _("journal number")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    year = models.PositiveIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="sequencecounter_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last_value}"


class CaseStatus(models.TextChoices):
    """saksstatus (M052), stored with the standard's exact names."""

    UNDER_BEHANDLING = "Under behandling", _("Under behandling")
    AVSLUTTET = "Avsluttet", _("Avsluttet")
    UTGAAR = "Utgår", _("Utgår")


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
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

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


class JournalEntryType(models.TextChoices):
    """journalposttype (M082), stored with the standard's exact names."""

    INCOMING = "Inngående dokument", _("Inngående dokument")
    OUTGOING = "Utgående dokument", _("Utgående dokument")
    INTERNAL_FOLLOW_UP = "Organinternt dokument for oppfølging", _("Organinternt dokument for oppfølging")
    INTERNAL_NO_FOLLOW_UP = (
        "Organinternt dokument uten oppfølging",
        _("Organinternt dokument uten oppfølging"),
    )


JOURNAL_ENTRY_TYPE_CODES = {
    JournalEntryType.INCOMING: "I",
    JournalEntryType.OUTGOING: "U",
    JournalEntryType.INTERNAL_FOLLOW_UP: "N",
    JournalEntryType.INTERNAL_NO_FOLLOW_UP: "X",
}


class JournalStatus(models.TextChoices):
    """journalstatus (M053), stored with the standard's exact names."""

    MIDLERTIDIG = (
        "Midlertidig registrering av innkommet dokument",
        _("Midlertidig registrering av innkommet dokument"),
    )
    FERDIGSTILT = "Ferdigstilt fra saksbehandler", _("Ferdigstilt fra saksbehandler")
    GODKJENT = "Godkjent av leder", _("Godkjent av leder")
    JOURNALFOERT = "Journalført", _("Journalført")
    EKSPEDERT = "Ekspedert", _("Ekspedert")
    ARKIVERT = "Arkivert", _("Arkivert")
    UTGAAR = "Utgår", _("Utgår")


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
