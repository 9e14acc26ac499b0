"""Noark 5 code lists: stored name (kodenavn) -> code (kode), one table per list, for every consumer.

We store the standard's names (the extract writes them); the short codes are what the tjenestegrensesnitt
(Noark 5 REST) and Fiks Arkiv carry. Sources, each list checked against them in
tests/journal/test_noark_codes.py:
- Noark 5 v5.0 metadata catalogue and tjenestegrensesnitt code lists, summarised in
  shared/noark5/NOTES.md § 1.5 (std metadata/Mxxx.yaml; tg kapitler/07; nikita
  src/main/resources/metadata/*.json);
- Fiks Arkiv v1 code lists, shared/fiks-arkiv/kodelister/no.ks.fiks.arkiv.v1.kodelister.*.json.
Where Fiks Arkiv has no value for one of ours, FIKS_OVERRIDES says what it gets instead.
"""

from __future__ import annotations

from types import MappingProxyType

from journal.models.codes import (
    JOURNAL_ENTRY_TYPE_CODES,
    AccessRestriction,
    ArchiveStatus,
    CaseStatus,
    ClassificationType,
    CorrespondentType,
    DocumentMedium,
    DocumentRelation,
    DocumentScreening,
    DocumentStatus,
    DocumentType,
    JournalStatus,
    RemarkType,
    ScreeningMetadata,
    SeriesStatus,
    VariantFormat,
    WriteOffMethod,
)


class UnknownCode(KeyError):
    """A stored value that is not in its Noark code list: a data error, never silently coded."""


def _frozen(table: dict) -> MappingProxyType:
    return MappingProxyType({str(name): code for name, code in table.items()})


# Keyed by the Noark metadata name of the list (as in the tjenestegrensesnitt's metadata/<name>/ URLs).
CODE_LISTS: MappingProxyType = MappingProxyType(
    {
        "arkivstatus": _frozen({ArchiveStatus.OPPRETTET: "O", ArchiveStatus.AVSLUTTET: "A"}),
        "arkivdelstatus": _frozen(
            {
                SeriesStatus.AKTIV: "A",
                SeriesStatus.OVERLAPPING: "O",
                SeriesStatus.AVSLUTTET: "P",
                SeriesStatus.UAKTUELLE: "U",
            }
        ),
        "saksstatus": _frozen(
            {CaseStatus.UNDER_BEHANDLING: "B", CaseStatus.AVSLUTTET: "A", CaseStatus.UTGAAR: "U"}
        ),
        # Defined beside the model, whose type_code shows it in the UI and the numbers.
        "journalposttype": _frozen(JOURNAL_ENTRY_TYPE_CODES),
        "journalstatus": _frozen(
            {
                JournalStatus.MIDLERTIDIG: "M",
                JournalStatus.FERDIGSTILT: "F",
                JournalStatus.GODKJENT: "G",
                JournalStatus.JOURNALFOERT: "J",
                JournalStatus.EKSPEDERT: "E",
                JournalStatus.ARKIVERT: "A",
                JournalStatus.UTGAAR: "U",
            }
        ),
        "korrespondanseparttype": _frozen(
            {
                CorrespondentType.AVSENDER: "EA",
                CorrespondentType.MOTTAKER: "EM",
                CorrespondentType.KOPIMOTTAKER: "EK",
                CorrespondentType.GRUPPEMOTTAKER: "GM",
                CorrespondentType.INTERN_AVSENDER: "IA",
                CorrespondentType.INTERN_MOTTAKER: "IM",
                CorrespondentType.INTERN_KOPIMOTTAKER: "IK",
                CorrespondentType.MEDAVSENDER: "IS",
            }
        ),
        "dokumentstatus": _frozen({DocumentStatus.UNDER_REDIGERING: "B", DocumentStatus.FERDIGSTILT: "F"}),
        "dokumenttype": _frozen({DocumentType.BREV: "B"}),
        "tilknyttetRegistreringSom": _frozen(
            {DocumentRelation.HOVEDDOKUMENT: "H", DocumentRelation.VEDLEGG: "V"}
        ),
        "variantformat": _frozen(
            {
                VariantFormat.PRODUKSJONSFORMAT: "P",
                VariantFormat.ARKIVFORMAT: "A",
                VariantFormat.SKJERMET: "O",
            }
        ),
        "dokumentmedium": _frozen(
            {DocumentMedium.ELEKTRONISK: "E", DocumentMedium.FYSISK: "F", DocumentMedium.BLANDET: "B"}
        ),
        "skjermingMetadata": _frozen(
            {
                ScreeningMetadata.KLASSE_ID: "KID",
                ScreeningMetadata.TITTEL_KLASSE: "TKL",
                ScreeningMetadata.TITTEL_MAPPE_UNNTATT_FOERSTE_LINJE: "TM1",
                ScreeningMetadata.TITTEL_MAPPE_UTVALGTE_ORD: "TMO",
                ScreeningMetadata.NAVN_PART: "NPS",
                ScreeningMetadata.TITTEL_REGISTRERING_UNNTATT_FOERSTE_LINJE: "TR1",
                ScreeningMetadata.TITTEL_REGISTRERING_UTVALGTE_ORD: "TRO",
                ScreeningMetadata.NAVN_AVSENDER: "NA",
                ScreeningMetadata.NAVN_MOTTAKER: "NM",
                ScreeningMetadata.TITTEL_DOKUMENTBESKRIVELSE: "TD",
                ScreeningMetadata.MERKNADSTEKST: "MT",
                ScreeningMetadata.MIDLERTIDIG: "M",
            }
        ),
        "skjermingDokument": _frozen({DocumentScreening.HELE: "H", DocumentScreening.DELER: "D"}),
        "avskrivningsmaate": _frozen(
            {
                WriteOffMethod.BESVART_BREV: "BU",
                WriteOffMethod.BESVART_EPOST: "BE",
                WriteOffMethod.BESVART_TELEFON: "TLF",
                WriteOffMethod.TATT_TIL_ETTERRETNING: "TE",
                WriteOffMethod.TATT_TIL_ORIENTERING: "TO",
                WriteOffMethod.BESVART_NOTAT: "BN",
                WriteOffMethod.SAKEN_AVSLUTTET: "SA",
            }
        ),
        "merknadstype": _frozen(
            {RemarkType.SAKSBEHANDLER: "MS", RemarkType.LEDER: "ML", RemarkType.ARKIVANSVARLIG: "MA"}
        ),
        "klassifikasjonstype": _frozen(
            {
                ClassificationType.FUNKSJONSBASERT: "FH",
                ClassificationType.EMNEBASERT_HIERARKISK: "EH",
                ClassificationType.EMNEBASERT_ETT_NIVAA: "E1",
                ClassificationType.K_KODER: "KK",
                ClassificationType.MANGEFASETTERT: "MF",
                ClassificationType.OBJEKTBASERT: "UO",
            }
        ),
    }
)

# Lists whose values are free text in the standard (M083 dokumenttype has no obligatory values): a name
# without a code is sent as its own code, as nikita does.
FREE_LISTS = frozenset({"dokumenttype"})

# Fiks Arkiv v1 where its code lists differ from the tjenestegrensesnitt's:
# - korrespondanseparttype has no «Medavsender» (IS): a co-sender goes as Avsender (EA);
# - dokumenttype is KS's own list: a letter is KORR (Korrespondanse), everything else MELDING;
# - tilgangsrestriksjon is coded as Norwegian archives do (Noark 4 tilgangskoder UO, P, K).
FIKS_OVERRIDES: MappingProxyType = MappingProxyType(
    {
        "korrespondanseparttype": _frozen({CorrespondentType.MEDAVSENDER: "EA"}),
        "dokumenttype": _frozen({DocumentType.BREV: "KORR"}),
        "tilgangsrestriksjon": _frozen(
            {
                AccessRestriction.UNNTATT_OFFENTLIGHET: "UO",
                AccessRestriction.PERSONALSAKER: "P",
                AccessRestriction.KLIENTSAKER: "K",
            }
        ),
    }
)
FIKS_FREE_DEFAULTS = MappingProxyType({"dokumenttype": "MELDING"})


def code(list_name: str, name: str) -> str:
    """The tjenestegrensesnitt code of a stored name; UnknownCode when the list does not hold it."""
    table = CODE_LISTS[list_name]
    if name in table:
        return table[name]
    if list_name in FREE_LISTS:
        return name
    raise UnknownCode(f"{name!r} is not in the Noark code list {list_name}")


def code_object(list_name: str, name: str) -> dict[str, str] | None:
    """{"kode": ..., "kodenavn": ...} as the tjenestegrensesnitt carries it; None for an empty value."""
    if not name:
        return None
    return {"kode": code(list_name, name), "kodenavn": name}


def fiks_code(list_name: str, name: str) -> str:
    """The Fiks Arkiv v1 code of a stored name (its own lists where they differ)."""
    override = FIKS_OVERRIDES.get(list_name, {})
    if name in override:
        return override[name]
    if list_name in FIKS_FREE_DEFAULTS:
        return FIKS_FREE_DEFAULTS[list_name]
    return code(list_name, name)


def code_list(list_name: str) -> list[dict[str, str]]:
    """Every value of one list, in the standard's order, for the metadata/<list>/ endpoints."""
    return [{"kode": kode, "kodenavn": name} for name, kode in CODE_LISTS[list_name].items()]
