"""Metadata attached to archival entities: korrespondansepart, merknad, skjerming, endringslogg."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sorum_archive.models import HashChainedModel

from .codes import AccessRestriction, ArchiveEntity, CorrespondentType, DocumentScreening, RemarkType
from .fields import GuardedQuerySet, optional_user_fk

_ONE_PARENT = (
    Q(case__isnull=False, entry__isnull=True, document__isnull=True)
    | Q(case__isnull=True, entry__isnull=False, document__isnull=True)
    | Q(case__isnull=True, entry__isnull=True, document__isnull=False)
)


class Correspondent(models.Model):
    """A correspondence party (korrespondansepart) of a journal entry; address data only as given."""

    system_id = models.UUIDField(_("system ID"), default=uuid.uuid4, unique=True, editable=False)
    entry = models.ForeignKey(
        "journal.JournalEntry",
        verbose_name=_("journal entry"),
        on_delete=models.PROTECT,
        related_name="correspondents",
    )
    correspondent_type = models.CharField(
        _("correspondent type"),
        max_length=40,
        choices=CorrespondentType.choices,
        default=CorrespondentType.AVSENDER,
    )
    name = models.CharField(_("name"), max_length=300)
    email = models.CharField(_("e-mail address"), max_length=300, blank=True)
    phone = models.CharField(_("phone number"), max_length=60, blank=True)
    handle = models.CharField(_("user name in the channel"), max_length=300, blank=True)
    postal_address = models.CharField(_("postal address"), max_length=300, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    postal_city = models.CharField(_("postal city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = GuardedQuerySet.as_manager()

    class Meta:
        verbose_name = _("correspondent")
        verbose_name_plural = _("correspondents")
        ordering = ["entry_id", "id"]

    def __str__(self) -> str:
        return f"{self.correspondent_type}: {self.name}"


class Remark(models.Model):
    """A remark (merknad) on a case, journal entry or document."""

    system_id = models.UUIDField(_("system ID"), default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        "journal.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="remarks",
    )
    entry = models.ForeignKey(
        "journal.JournalEntry",
        verbose_name=_("journal entry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="remarks",
    )
    document = models.ForeignKey(
        "journal.Document",
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="remarks",
    )
    text = models.TextField(_("remark"))
    remark_type = models.CharField(
        _("remark type"), max_length=60, choices=RemarkType.choices, default=RemarkType.ARKIVANSVARLIG
    )
    remarked_at = models.DateTimeField(_("remark date"), default=timezone.now)
    remarked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("remark by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("remark")
        verbose_name_plural = _("remarks")
        ordering = ["remarked_at", "id"]
        constraints = [models.CheckConstraint(condition=_ONE_PARENT, name="remark_one_parent")]

    def __str__(self) -> str:
        return self.text[:60]


class Screening(models.Model):
    """A screening (skjerming) of a case, journal entry or document, e.g. «Offl. § 13 jf. fvl. § 13 ...»."""

    case = models.OneToOneField(
        "journal.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="screening",
    )
    entry = models.OneToOneField(
        "journal.JournalEntry",
        verbose_name=_("journal entry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="screening",
    )
    document = models.OneToOneField(
        "journal.Document",
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="screening",
    )
    access_restriction = models.CharField(
        _("access restriction"),
        max_length=60,
        choices=AccessRestriction.choices,
        default=AccessRestriction.UNNTATT_OFFENTLIGHET,
    )
    legal_basis = models.CharField(_("legal basis for screening"), max_length=300)
    # List of ScreeningMetadata values (skjermingMetadata, 1..n).
    metadata = models.JSONField(_("screened metadata"), default=list)
    # The words hidden when metadata contains «Skjerming tittel ... - utvalgte ord».
    screened_words = models.JSONField(_("screened words"), default=list, blank=True)
    document_screening = models.CharField(
        _("document screening"), max_length=60, choices=DocumentScreening.choices, blank=True
    )
    duration_years = models.PositiveIntegerField(_("screening duration (years)"), null=True, blank=True)
    # Set by the detector at registration; the entry is not approved until an archivist decides.
    pending = models.BooleanField(_("awaiting a decision"), default=False)
    detected = models.JSONField(_("what the detector found"), default=list, blank=True)
    until = models.DateField(_("screened until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = optional_user_fk(_("created by"))

    objects = GuardedQuerySet.as_manager()

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        constraints = [models.CheckConstraint(condition=_ONE_PARENT, name="screening_one_parent")]

    def __str__(self) -> str:
        return f"{self.access_restriction}: {self.legal_basis}"

    def screens(self, item: str) -> bool:
        return item in (self.metadata or [])


class ChangeLog(HashChainedModel):
    """One logged metadata change (endring in endringslogg): who, when, which field, old and new value."""

    CHAIN_FIELDS = (
        "entity_type",
        "system_id",
        "field",
        "old_value",
        "new_value",
        "changed_at",
        "changed_by",
        "changed_by_name",
    )

    entity_type = models.CharField(_("entity type"), max_length=40, choices=ArchiveEntity.choices)
    system_id = models.UUIDField(_("system ID of the changed entity"), db_index=True)
    field = models.CharField(_("metadata field"), max_length=100)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    changed_by = optional_user_fk(_("changed by"))
    changed_by_name = models.CharField(_("changed by (name)"), max_length=300)

    objects = GuardedQuerySet.as_manager()

    class Meta:
        verbose_name = _("change log entry")
        verbose_name_plural = _("change log")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.entity_type} {self.system_id} {self.field}"
