"""Noark 5 v5.0 code lists, stored with the standard's exact names (kodenavn).

Sources: ../shared/noark5/NOTES.md §1.5 (std metadata/Mxxx.yaml, tjenestegrensesnitt code lists).
The short codes (I, U, J, ...) are only used by the REST interface; extracts use the names.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ArchiveStatus(models.TextChoices):
    """arkivstatus (M050)."""

    OPPRETTET = "Opprettet", _("Opprettet")
    AVSLUTTET = "Avsluttet", _("Avsluttet")


class SeriesStatus(models.TextChoices):
    """arkivdelstatus (M051)."""

    AKTIV = "Aktiv periode", _("Aktiv periode")
    OVERLAPPING = "Overlappingsperiode", _("Overlappingsperiode")
    AVSLUTTET = "Avsluttet periode", _("Avsluttet periode")
    UAKTUELLE = "Uaktuelle mapper", _("Uaktuelle mapper")


class DocumentMedium(models.TextChoices):
    """dokumentmedium (M300)."""

    ELEKTRONISK = "Elektronisk arkiv", _("Elektronisk arkiv")
    FYSISK = "Fysisk arkiv", _("Fysisk arkiv")
    BLANDET = "Blandet fysisk og elektronisk arkiv", _("Blandet fysisk og elektronisk arkiv")


class ClassificationType(models.TextChoices):
    """klassifikasjonstype (M086), examples from the standard."""

    FUNKSJONSBASERT = "Funksjonsbasert, hierarkisk", _("Funksjonsbasert, hierarkisk")
    EMNEBASERT_HIERARKISK = "Emnebasert, hierarkisk arkivnøkkel", _("Emnebasert, hierarkisk arkivnøkkel")
    EMNEBASERT_ETT_NIVAA = "Emnebasert, ett nivå", _("Emnebasert, ett nivå")
    K_KODER = "K-koder", _("K-koder")
    MANGEFASETTERT = "Mangefasettert, ikke hierarki", _("Mangefasettert, ikke hierarki")
    OBJEKTBASERT = "Objektbasert", _("Objektbasert")


class DocumentType(models.TextChoices):
    """dokumenttype (M083): «Brev» etc. from the standard plus this project's channel vocabulary."""

    BREV = "Brev", _("Brev")
    CHATMELDING = "Chatmelding", _("Chatmelding")
    SMS = "SMS", _("SMS")
    FACEBOOK = "Facebook-melding", _("Facebook-melding")
    TWEET = "Tweet", _("Tweet")
    NETTSKJEMA = "Nettskjema/kommentar", _("Nettskjema/kommentar")
    EPOST = "E-post", _("E-post")
    VEDLEGG = "Vedlegg", _("Vedlegg")


class DocumentStatus(models.TextChoices):
    """dokumentstatus (M054)."""

    UNDER_REDIGERING = "Dokumentet er under redigering", _("Dokumentet er under redigering")
    FERDIGSTILT = "Dokumentet er ferdigstilt", _("Dokumentet er ferdigstilt")


class DocumentRelation(models.TextChoices):
    """tilknyttetRegistreringSom (M217)."""

    HOVEDDOKUMENT = "Hoveddokument", _("Hoveddokument")
    VEDLEGG = "Vedlegg", _("Vedlegg")


class VariantFormat(models.TextChoices):
    """variantformat (M700)."""

    PRODUKSJONSFORMAT = "Produksjonsformat", _("Produksjonsformat")
    ARKIVFORMAT = "Arkivformat", _("Arkivformat")
    SKJERMET = (
        "Dokument hvor deler av innholdet er skjermet",
        _("Dokument hvor deler av innholdet er skjermet"),
    )


class CorrespondentType(models.TextChoices):
    """korrespondanseparttype (M087)."""

    AVSENDER = "Avsender", _("Avsender")
    MOTTAKER = "Mottaker", _("Mottaker")
    KOPIMOTTAKER = "Kopimottaker", _("Kopimottaker")
    GRUPPEMOTTAKER = "Gruppemottaker", _("Gruppemottaker")
    INTERN_AVSENDER = "Intern avsender", _("Intern avsender")
    INTERN_MOTTAKER = "Intern mottaker", _("Intern mottaker")
    INTERN_KOPIMOTTAKER = "Intern kopimottaker", _("Intern kopimottaker")
    MEDAVSENDER = "Medavsender", _("Medavsender")


class RemarkType(models.TextChoices):
    """merknadstype (M084), examples from the standard."""

    SAKSBEHANDLER = "Merknad fra saksbehandler", _("Merknad fra saksbehandler")
    LEDER = "Merknad fra leder", _("Merknad fra leder")
    ARKIVANSVARLIG = "Merknad fra arkivansvarlig", _("Merknad fra arkivansvarlig")


class AccessRestriction(models.TextChoices):
    """tilgangsrestriksjon (M500); the legal basis goes in skjermingshjemmel."""

    UNNTATT_OFFENTLIGHET = "Unntatt offentlighet", _("Unntatt offentlighet")
    PERSONALSAKER = "Personalsaker", _("Personalsaker")
    KLIENTSAKER = "Klientsaker", _("Klientsaker")


class ScreeningMetadata(models.TextChoices):
    """skjermingMetadata (M502): which metadata are screened."""

    KLASSE_ID = "Skjerming klasseID", _("Skjerming klasseID")
    TITTEL_KLASSE = "Skjerming tittel klasse", _("Skjerming tittel klasse")
    TITTEL_MAPPE_UNNTATT_FOERSTE_LINJE = (
        "Skjerming tittel mappe - unntatt første linje",
        _("Skjerming tittel mappe - unntatt første linje"),
    )
    TITTEL_MAPPE_UTVALGTE_ORD = (
        "Skjerming tittel mappe - utvalgte ord",
        _("Skjerming tittel mappe - utvalgte ord"),
    )
    NAVN_PART = "Skjerming navn part i sak", _("Skjerming navn part i sak")
    TITTEL_REGISTRERING_UNNTATT_FOERSTE_LINJE = (
        "Skjerming tittel registrering - unntatt første linje",
        _("Skjerming tittel registrering - unntatt første linje"),
    )
    TITTEL_REGISTRERING_UTVALGTE_ORD = (
        "Skjerming tittel registrering - utvalgte ord",
        _("Skjerming tittel registrering - utvalgte ord"),
    )
    NAVN_AVSENDER = "Skjerming navn avsender", _("Skjerming navn avsender")
    NAVN_MOTTAKER = "Skjerming navn mottaker", _("Skjerming navn mottaker")
    TITTEL_DOKUMENTBESKRIVELSE = (
        "Skjerming tittel dokumentbeskrivelse",
        _("Skjerming tittel dokumentbeskrivelse"),
    )
    MERKNADSTEKST = "Skjerming merknadstekst", _("Skjerming merknadstekst")
    MIDLERTIDIG = "Midlertidig skjerming", _("Midlertidig skjerming")


class DocumentScreening(models.TextChoices):
    """skjermingDokument (M503)."""

    HELE = "Skjerming av hele dokumentet", _("Skjerming av hele dokumentet")
    DELER = "Skjerming av deler av dokumentet", _("Skjerming av deler av dokumentet")


class WriteOffMethod(models.TextChoices):
    """avskrivningsmaate (M619)."""

    BESVART_BREV = "Besvart med brev", _("Besvart med brev")
    BESVART_EPOST = "Besvart med e-post", _("Besvart med e-post")
    BESVART_TELEFON = "Besvart på telefon", _("Besvart på telefon")
    TATT_TIL_ETTERRETNING = "Tatt til etterretning", _("Tatt til etterretning")
    TATT_TIL_ORIENTERING = "Tatt til orientering", _("Tatt til orientering")
    BESVART_NOTAT = "Besvart med notat", _("Besvart med notat")
    SAKEN_AVSLUTTET = "Saken ble avsluttet", _("Saken ble avsluttet")


class ArchiveEntity(models.TextChoices):
    """Noark 5 entity names used as ChangeLog.entity_type (the element the endring refers to)."""

    ARKIV = "arkiv", _("archive")
    ARKIVDEL = "arkivdel", _("series")
    KLASSIFIKASJONSSYSTEM = "klassifikasjonssystem", _("classification system")
    KLASSE = "klasse", _("class")
    SAKSMAPPE = "saksmappe", _("case")
    JOURNALPOST = "journalpost", _("journal entry")
    DOKUMENTBESKRIVELSE = "dokumentbeskrivelse", _("document")
    DOKUMENTOBJEKT = "dokumentobjekt", _("document file")


class CaseStatus(models.TextChoices):
    """saksstatus (M052), stored with the standard's exact names."""

    UNDER_BEHANDLING = "Under behandling", _("Under behandling")
    AVSLUTTET = "Avsluttet", _("Avsluttet")
    UTGAAR = "Utgår", _("Utgår")


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
