"""The archivist's work: approve, return, correct, screen, archive and cancel journal entries.

Every change to an entry after approval is written to the change log (endringslogg) with who, when,
old and new value; the field names are the Noark 5 metadata names the extract uses.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sorum_archive.personal_data import personal_data_find

from .. import screening as scr
from ..models import (
    AccessRestriction,
    ArchiveEntity,
    Case,
    Correspondent,
    Document,
    DocumentFile,
    DocumentScreening,
    JournalEntry,
    JournalEntryType,
    JournalStatus,
    Remark,
    RemarkType,
    Screening,
    ScreeningMetadata,
    VariantFormat,
)
from .changelog import change_log_write
from .structure import series_closed_refuse

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from ..models import Klass

logger = logging.getLogger(__name__)

REVIEWABLE = (JournalStatus.MIDLERTIDIG, JournalStatus.FERDIGSTILT, JournalStatus.GODKJENT)


def _locked(entry: JournalEntry) -> JournalEntry:
    return JournalEntry.objects.select_for_update().select_related("case").get(pk=entry.pk)


def _log(entry: JournalEntry, field: str, old: object, new: object, by: AbstractBaseUser) -> None:
    if entry.is_approved and old != new:
        change_log_write(
            entity_type=ArchiveEntity.JOURNALPOST,
            system_id=entry.system_id,
            field=field,
            old=old,
            new=new,
            by=by,
        )


def _require_documents(entry: JournalEntry) -> None:
    """No entry without its documents (issue #15, 6): a failed rendering must not be journalført."""
    if not DocumentFile.objects.filter(document__entry=entry, variant=VariantFormat.ARKIVFORMAT).exists():
        raise ValidationError(
            _("The entry has no documents yet; wait for them to be made, or register it again."),
            code="documents_missing",
        )


def journal_entry_approve(*, entry: JournalEntry, approved_by: AbstractBaseUser) -> JournalEntry:
    """Approve (journalfør): «Journalført», or «Ekspedert» for a reply that has already been sent."""
    with transaction.atomic():
        entry = _locked(entry)
        if entry.status not in REVIEWABLE:
            raise ValidationError(_("Only entries awaiting review can be approved."), code="not_reviewable")
        _require_documents(entry)
        pending = Screening.objects.filter(entry=entry, pending=True).exists()
        if pending:
            # Sensitive means screened until a person decides: confirm or lift the suggestion first.
            raise ValidationError(
                _(
                    "The screening suggested for personal data is not decided yet: confirm it or lift it "
                    "with a reason before approving."
                ),
                code="screening_pending",
            )
        entry.status = (
            JournalStatus.EKSPEDERT
            if entry.entry_type == JournalEntryType.OUTGOING
            else JournalStatus.JOURNALFOERT
        )
        entry.approved_at = timezone.now()
        entry.approved_by = approved_by
        entry.returned_at = None
        entry.returned_by = None
        entry.public_assessed_date = entry.public_assessed_date or timezone.localdate()
        entry.save(
            update_fields=[
                "status",
                "approved_at",
                "approved_by",
                "returned_at",
                "returned_by",
                "public_assessed_date",
            ]
        )
    logger.info("journal.entry.approved", extra={"entry_id": entry.pk, "user_id": approved_by.pk})
    return entry


def journal_entry_return(*, entry: JournalEntry, returned_by: AbstractBaseUser, remark: str) -> Remark:
    """Send an entry back to the caseworker with a remark (merknad) saying what to fix."""
    remark = remark.strip()
    if not remark:
        raise ValidationError(_("Write what the caseworker should fix."), code="remark_required")
    with transaction.atomic():
        entry = _locked(entry)
        if entry.status not in REVIEWABLE:
            raise ValidationError(_("Only entries awaiting review can be returned."), code="not_reviewable")
        entry.returned_at = timezone.now()
        entry.returned_by = returned_by
        entry.save(update_fields=["returned_at", "returned_by"])
        note = remark_add(
            entry=entry, text=remark, remarked_by=returned_by, remark_type=RemarkType.ARKIVANSVARLIG
        )
    logger.info("journal.entry.returned", extra={"entry_id": entry.pk, "user_id": returned_by.pk})
    return note


def journal_entry_resubmit(
    *, entry: JournalEntry, resubmitted_by: AbstractBaseUser, remark: str = ""
) -> JournalEntry:
    """The caseworker has fixed a returned entry: back into the review queue."""
    with transaction.atomic():
        entry = _locked(entry)
        if entry.returned_at is None:
            return entry
        entry.returned_at = None
        entry.returned_by = None
        entry.save(update_fields=["returned_at", "returned_by"])
        if remark.strip():
            remark_add(
                entry=entry, text=remark, remarked_by=resubmitted_by, remark_type=RemarkType.SAKSBEHANDLER
            )
    return entry


def remark_add(
    *,
    text: str,
    remarked_by: AbstractBaseUser,
    remark_type: str = RemarkType.ARKIVANSVARLIG,
    entry: JournalEntry | None = None,
    case: Case | None = None,
    document: Document | None = None,
) -> Remark:
    target_case = case or (entry.case if entry is not None else None)
    if target_case is None and document is not None:
        target_case = document.entry.case
    if target_case is not None:
        series_closed_refuse(series_id=target_case.series_id)
    remark = Remark(
        entry=entry,
        case=case,
        document=document,
        text=text.strip()[:5000],
        remark_type=remark_type,
        remarked_by=remarked_by,
    )
    remark.full_clean()
    remark.save()
    return remark


def journal_entry_correct(
    *,
    entry: JournalEntry,
    changed_by: AbstractBaseUser,
    title: str | None = None,
    public_title: str | None = None,
) -> JournalEntry:
    """Correct title and public title; logged when the entry is already approved."""
    with transaction.atomic():
        entry = _locked(entry)
        if entry.status == JournalStatus.UTGAAR:
            raise ValidationError(_("An entry marked «Utgår» cannot be changed."), code="cancelled")
        changed = []
        if title is not None and title.strip() and title.strip() != entry.title:
            _log(entry, "tittel", entry.title, title.strip()[:500], changed_by)
            entry.title = title.strip()[:500]
            changed.append("title")
        if public_title is not None and public_title.strip():
            _public_title_check(entry=entry, public_title=public_title.strip())
        if public_title is not None and public_title.strip() != entry.public_title:
            _log(entry, "offentligTittel", entry.public_title, public_title.strip()[:500], changed_by)
            entry.public_title = public_title.strip()[:500]
            changed.append("public_title")
        if changed:
            entry.full_clean()
            entry.save(update_fields=changed)
    return entry


def journal_entry_metadata_correct(
    *,
    entry: JournalEntry,
    changed_by: AbstractBaseUser,
    title: str,
    public_title: str,
    correspondent_name: str,
    klass: Klass,
) -> JournalEntry:
    """The correction form in one transaction: titles, the first correspondent's name and the class.

    Any refusal (a public title empty after masking, an archived record) rolls back every part, so the
    form shows its errors with nothing half saved. An empty correspondent name leaves the name as it is.
    """
    with transaction.atomic():
        entry = journal_entry_correct(
            entry=entry, changed_by=changed_by, title=title, public_title=public_title
        )
        sender = entry.correspondents.first()
        if sender is not None and correspondent_name.strip():
            correspondent_correct(correspondent=sender, changed_by=changed_by, name=correspondent_name)
        journal_entry_classify(entry=entry, klass=klass, changed_by=changed_by)
    return entry


def _public_title_check(*, entry: JournalEntry, public_title: str) -> None:
    """An offentligTittel that is nothing but ****** once screened words and names are masked says nothing."""
    from ..screening_facts import entry_facts

    terms = scr.protected_terms(entry_facts(entry), audience=scr.Audience.PUBLIC, today=None)
    masked = scr.scrub_contact_details(scr.mask_text(public_title, terms))
    if not masked.replace(scr.MASK, "").strip(" :–-"):
        message = _(
            "The public title is empty once the screened words and names are masked: "
            "write what the entry is about."
        )
        raise ValidationError({"public_title": ValidationError(message, code="title_empty_after_masking")})


def correspondent_correct(
    *,
    correspondent: Correspondent,
    changed_by: AbstractBaseUser,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    correspondent_type: str | None = None,
) -> Correspondent:
    """Correct a correspondence party; logged when its entry is already approved."""
    with transaction.atomic():
        entry = _locked(correspondent.entry)
        correspondent = Correspondent.objects.select_for_update().get(pk=correspondent.pk)
        fields = {
            "name": ("korrespondansepartNavn", name),
            "email": ("epostadresse", email),
            "phone": ("telefonnummer", phone),
            "correspondent_type": ("korrespondanseparttype", correspondent_type),
        }
        changed = []
        for attr, (noark, value) in fields.items():
            if value is None or value.strip() == getattr(correspondent, attr):
                continue
            if attr == "name" and not value.strip():
                raise ValidationError(_("A correspondent needs a name."), code="name_required")
            _log(entry, noark, getattr(correspondent, attr), value.strip(), changed_by)
            setattr(correspondent, attr, value.strip())
            changed.append(attr)
        if changed:
            correspondent.full_clean()
            correspondent.save(update_fields=changed)
    return correspondent


def journal_entry_classify(
    *, entry: JournalEntry, klass: Klass, changed_by: AbstractBaseUser
) -> JournalEntry:
    """Correct the classification (the class of the entry's case); always logged."""
    from .cases import case_classify

    case_classify(case=entry.case, klass=klass, changed_by=changed_by)
    entry.refresh_from_db()
    return entry


def journal_entry_archive(*, entry: JournalEntry, archived_by: AbstractBaseUser) -> JournalEntry:
    """Mark an approved entry «Arkivert» (arkivertDato/arkivertAv)."""
    with transaction.atomic():
        entry = _locked(entry)
        if entry.status not in (JournalStatus.JOURNALFOERT, JournalStatus.EKSPEDERT):
            raise ValidationError(_("Only approved entries can be archived."), code="not_approved")
        _require_documents(entry)
        _log(entry, "journalstatus", entry.status, JournalStatus.ARKIVERT, archived_by)
        entry.status = JournalStatus.ARKIVERT
        entry.archived_at = timezone.now()
        entry.archived_by = archived_by
        entry.save(update_fields=["status", "archived_at", "archived_by"])
    logger.info("journal.entry.archived", extra={"entry_id": entry.pk, "user_id": archived_by.pk})
    return entry


def journal_entry_cancel(*, entry: JournalEntry, cancelled_by: AbstractBaseUser, reason: str) -> JournalEntry:
    """Mark an entry «Utgår» (wrongly registered); it stays in the archive with the reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give a reason for «Utgår»."), code="reason_required")
    with transaction.atomic():
        entry = _locked(entry)
        if entry.status == JournalStatus.UTGAAR:
            return entry
        if entry.status == JournalStatus.ARKIVERT:
            # Archived is final: «Utgår» would drop its files from every later extract.
            raise ValidationError(_("An archived entry cannot be marked «Utgår»."), code="archived")
        _log(entry, "journalstatus", entry.status, JournalStatus.UTGAAR, cancelled_by)
        entry.status = JournalStatus.UTGAAR
        entry.cancelled_at = timezone.now()
        entry.cancelled_by = cancelled_by
        entry.cancel_reason = reason[:2000]
        entry.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
        remark_add(entry=entry, text=reason, remarked_by=cancelled_by)
    logger.info("journal.entry.cancelled", extra={"entry_id": entry.pk, "user_id": cancelled_by.pk})
    return entry


def _screening_validate(
    *, legal_basis: str, metadata: list[str], document_screening: str, target: Case | JournalEntry | Document
) -> None:
    problems = scr.screening_problems(
        legal_basis=legal_basis,
        metadata=metadata,
        document_screening=document_screening,
        known_metadata=tuple(ScreeningMetadata.values),
        known_document_screenings=tuple(DocumentScreening.values),
    )
    messages = {
        "legal_basis_required": _("A screening needs its legal basis."),
        "legal_basis_unknown": _(
            "Unknown legal basis: cite the exemption in offentleglova, e.g. «Offl. § 13 jf. "
            "fvl. § 13 første ledd nr. 1»."
        ),
        "invalid_metadata": _("Choose what is screened."),
        "metadata_required": _("Choose what is screened."),
        "invalid_document_screening": _("Unknown document screening."),
    }
    if problems:
        raise ValidationError({p.field: ValidationError(messages[p.code], code=p.code) for p in problems})


def screening_apply(
    *,
    target: Case | JournalEntry | Document,
    applied_by: AbstractBaseUser | None,
    legal_basis: str,
    metadata: list[str],
    screened_words: list[str] | tuple[str, ...] = (),
    document_screening: str = "",
    access_restriction: str = AccessRestriction.UNNTATT_OFFENTLIGHET,
    until=None,
    pending: bool = False,
    detected: list[str] | None = None,
) -> Screening:
    """Screen (skjerm) a case, entry or document, or confirm a suggested screening.

    legal_basis is the skjermingshjemmel, e.g. «Offl. § 13 jf. fvl. § 13 første ledd nr. 1»; metadata are
    ScreeningMetadata values; screened_words are hidden wherever the entry is shown. A person applying a
    screening decides it (pending False); the detector at registration leaves it pending.
    """
    legal_basis = " ".join(legal_basis.split())
    _screening_validate(
        legal_basis=legal_basis, metadata=metadata, document_screening=document_screening, target=target
    )
    words = sorted({w.strip() for w in screened_words if w.strip()}, key=str.lower)
    parent = {"case": None, "entry": None, "document": None}
    key = "case" if isinstance(target, Case) else "entry" if isinstance(target, JournalEntry) else "document"
    parent[key] = target
    with transaction.atomic():
        screening = Screening.objects.select_for_update().filter(**{key: target}).first() or Screening(
            **parent
        )
        old = _screening_values(screening) if screening.pk else dict.fromkeys(SCREENING_METADATA_NAMES, "")
        screening.access_restriction = access_restriction
        screening.legal_basis = legal_basis[:300]
        screening.metadata = list(dict.fromkeys(metadata))
        screening.screened_words = words
        screening.document_screening = document_screening
        screening.until = until
        screening.pending = pending
        if detected is not None:
            screening.detected = detected
        screening.created_by = screening.created_by or applied_by
        screening.full_clean()
        screening.save()
        new = _screening_values(screening)
        if isinstance(target, Case):
            _case_public_title_refresh(case=target, screening=screening)
            # vedlegg 3: skjermingshjemmel (M501), skjermingMetadata (M502), skjermingDokument (M503)
            # "ved endring" — also on a closed case.
            for name in SCREENING_METADATA_NAMES:
                if old[name] != new[name]:
                    change_log_write(
                        entity_type=ArchiveEntity.SAKSMAPPE,
                        system_id=target.system_id,
                        field=name,
                        old=old[name],
                        new=new[name],
                        by=applied_by,
                    )
        entry = (
            target
            if isinstance(target, JournalEntry)
            else target.entry
            if isinstance(target, Document)
            else None
        )
        if entry is not None and applied_by is not None:
            entry = _locked(entry)
            for name in SCREENING_METADATA_NAMES:
                _log(entry, name, old[name], new[name], applied_by)
    logger.info("journal.screening.applied", extra={"target": key, "target_id": target.pk})
    return screening


def screening_lift(*, entry: JournalEntry, lifted_by: AbstractBaseUser, reason: str) -> None:
    """Lift a screening the detector suggested: the archivist decided the entry may be public.

    The reason is kept as a remark (merknad) on the entry and in the change log once it is approved.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": ValidationError(_("Give a reason for lifting the screening."), code="reason_required")}
        )
    with transaction.atomic():
        entry = _locked(entry)
        screening = Screening.objects.select_for_update().filter(entry=entry).first()
        if screening is None:
            return
        old = _screening_values(screening)
        screening.delete()
        for name in SCREENING_METADATA_NAMES:
            _log(entry, name, old[name], "", lifted_by)
        remark_add(
            entry=entry,
            text=_("Screening lifted: %(reason)s") % {"reason": reason},
            remarked_by=lifted_by,
        )
    logger.info("journal.screening.lifted", extra={"entry_id": entry.pk, "user_id": lifted_by.pk})


def screening_detect(*, entry: JournalEntry, text: str) -> Screening | None:
    """Screen a new entry when the detector finds personal data the public must not see.

    fødselsnummer/D-nummer (valid mod-11), special categories (health, child welfare, ...), a child together
    with a diagnosis, e-mail addresses and phone numbers: «Unntatt offentlighet», the suggested paragraph and
    the fields ticked, pending until an archivist confirms or lifts it.
    """
    found = personal_data_find(text)
    if not found.any:
        return None
    only_numbers = found.identity_numbers and not found.sensitive_words
    reasons = []
    if found.identity_numbers:
        reasons.append("identity_number")
    if found.sensitive_words:
        reasons += sorted({w.category for w in found.sensitive_words})
    if found.child_with_diagnosis:
        reasons.append("child_with_diagnosis")
    if found.emails:
        reasons.append("email")
    if found.phones:
        reasons.append("phone")
    return screening_apply(
        target=entry,
        applied_by=None,
        legal_basis=scr.SUGGESTED_BASIS_IDENTITY_NUMBER if only_numbers else scr.SUGGESTED_BASIS_PERSONAL,
        metadata=[
            ScreeningMetadata.TITTEL_REGISTRERING_UTVALGTE_ORD,
            ScreeningMetadata.NAVN_AVSENDER,
        ],
        screened_words=list(found.protected),
        document_screening=DocumentScreening.HELE,
        pending=True,
        detected=reasons,
    )


SCREENING_METADATA_NAMES = ("skjermingshjemmel", "skjermingMetadata", "skjermingDokument")


def _screening_values(screening: Screening) -> dict[str, str]:
    """A screening as the Noark metadata the change log names (vedlegg 3, M501–M503)."""
    return {
        "skjermingshjemmel": f"{screening.access_restriction}; {screening.legal_basis}",
        "skjermingMetadata": ", ".join(screening.metadata or ()),
        "skjermingDokument": screening.document_screening or "",
    }


def _case_public_title_refresh(*, case: Case, screening: Screening) -> None:
    title = case.title
    if screening.screens(ScreeningMetadata.TITTEL_MAPPE_UNNTATT_FOERSTE_LINJE):
        lines = title.splitlines() or [""]
        title = lines[0] + (f" {scr.MASK}" if len(lines) > 1 else "")
    public = scr.shorten(scr.mask_text(title, list(screening.screened_words)))
    if public != case.public_title:
        case.public_title = public
        case.save(update_fields=["public_title"])


def screening_suggestion_apply(*, entry: JournalEntry, applied_by: AbstractBaseUser) -> Screening:
    """Apply the message page's screening suggestion to the entry of the message: decided, not pending.

    The suggestion (triage.suggestions.sensitive) is «Unntatt offentlighet» under offl. § 13 jf. fvl. § 13
    første ledd nr. 1; the sender's name and the words found in the message are screened, and the whole
    document. Like every screening it is written to the change log (screening_apply).
    """
    if entry.message_id is None:
        raise ValidationError(_("This entry has no message to take a suggestion from."), code="no_message")
    found = personal_data_find(entry.message.text)
    return screening_apply(
        target=entry,
        applied_by=applied_by,
        legal_basis=scr.SUGGESTED_BASIS_PERSONAL,
        metadata=[ScreeningMetadata.NAVN_AVSENDER, ScreeningMetadata.TITTEL_REGISTRERING_UTVALGTE_ORD],
        screened_words=list(found.protected),
        document_screening=DocumentScreening.HELE,
        pending=False,
    )
