"""What each audience may see of a journal entry (skjerming): the one rule every surface uses.

Pure: plain facts in, a view out; no ORM, no clock (callers pass `today`). The public journal (HTML, RSS,
Atom, public PDF), the extract (offentligJournal.xml, arkivstruktur.xml), the Noark 5 API, the Fiks
arkivmelding and the staff pages all ask `entry_view` and show what it returns.

The law behind the rules:
- offentleglova § 13 jf. forvaltningsloven § 13: information under a duty of confidentiality (personal
  circumstances, e.g. health) is exempt; the entry keeps «Unntatt offentlighet» with its hjemmel.
- offentleglova § 26 femte ledd: fødselsnummer and numbers of the same function may be exempt; together with
  offentlegforskrifta § 7 andre ledd (no fødselsnummer, D-nummer or special categories of personal data in
  an online public journal or document) they are never published.
- offentlegforskrifta § 6 (offentleg journal på Internett): names of private persons in entries older than
  one year are not searchable from outside; the public surfaces leave them out.
- Noark 5 (std. 070): screened text is replaced by ****** in the public journal.

Audiences: PUBLIC (anonymous), STAFF (a user without the screening right, e.g. a caseworker reading the
Noark API), ARCHIVIST (the screening right: sees everything).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from sorum_archive.personal_data import EMAIL, HANDLE, IDENTITY_CANDIDATE, PHONE

MASK = "******"
NAME_AFTER_ONE_YEAR = "(navn skjermet etter ett år)"
NEUTRAL_INCOMING = "Henvendelse fra innbygger"
NEUTRAL_OUTGOING = "Svar til innbygger"
NEUTRAL_OTHER = "Journalpost"
TITLE_MAX = 500

# skjermingMetadata (M502).
CLASS_ID = "Skjerming klasseID"
CLASS_TITLE = "Skjerming tittel klasse"
CASE_TITLE_FIRST_LINE = "Skjerming tittel mappe - unntatt første linje"
CASE_TITLE_WORDS = "Skjerming tittel mappe - utvalgte ord"
CASE_PARTY_NAME = "Skjerming navn part i sak"
ENTRY_TITLE_FIRST_LINE = "Skjerming tittel registrering - unntatt første linje"
ENTRY_TITLE_WORDS = "Skjerming tittel registrering - utvalgte ord"
SENDER_NAME = "Skjerming navn avsender"
RECIPIENT_NAME = "Skjerming navn mottaker"
DOCUMENT_TITLE = "Skjerming tittel dokumentbeskrivelse"
REMARK_TEXT = "Skjerming merknadstekst"

SENDER_TYPES = frozenset({"Avsender", "Medavsender", "Intern avsender"})
# Staff of the municipality: not private persons (offentlegforskrifta § 6 is about private persons).
INTERNAL_TYPES = frozenset({"Intern avsender", "Intern mottaker", "Intern kopimottaker"})
INCOMING = "Inngående dokument"
OUTGOING = "Utgående dokument"


class Audience(StrEnum):
    PUBLIC = "public"
    STAFF = "staff"
    ARCHIVIST = "archivist"


@dataclass(frozen=True)
class ScreeningFacts:
    """A skjerming: tilgangsrestriksjon, skjermingshjemmel, skjermingMetadata, screened words.

    `pending` is a screening set by the detector that no person has decided on yet.
    """

    access_restriction: str
    legal_basis: str
    metadata: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    document: str = ""
    pending: bool = False

    def screens(self, *names: str) -> bool:
        return any(name in self.metadata for name in names)


@dataclass(frozen=True)
class PartyFacts:
    """A korrespondansepart as stored; `former_names` are earlier names from the change log."""

    party_type: str
    name: str
    email: str = ""
    phone: str = ""
    handle: str = ""


@dataclass(frozen=True)
class DocumentFacts:
    """A dokumentbeskrivelse: `key` identifies it to the caller (system id)."""

    key: str
    title: str
    main: bool = True
    screening: ScreeningFacts | None = None


@dataclass(frozen=True)
class EntryFacts:
    """Everything about one journalpost that decides what may be shown."""

    title: str
    public_title: str
    entry_type: str
    journal_date: dt.date
    case_title: str
    case_public_title: str = ""
    channel: str = ""
    parties: tuple[PartyFacts, ...] = ()
    screening: ScreeningFacts | None = None
    case_screening: ScreeningFacts | None = None
    documents: tuple[DocumentFacts, ...] = ()
    # Every earlier value of a name, title or address from the change log: masked wherever the current
    # value would be, so a correction never uncovers the old name.
    former_values: tuple[str, ...] = ()
    cancelled: bool = False
    message_text: str = ""


@dataclass(frozen=True)
class PartyView:
    party_type: str
    name: str
    screened: bool = False


@dataclass(frozen=True)
class DocumentView:
    key: str
    title: str
    file_access: bool


@dataclass(frozen=True)
class EntryView:
    """What one audience may see. `public_text` is the body of the public document (None: no document)."""

    title: str
    case_title: str
    parties: tuple[PartyView, ...]
    screened: bool
    access_restriction: str
    legal_basis: str
    documents: tuple[DocumentView, ...]
    public_text: str | None = None
    names_hidden_by_age: bool = False

    @property
    def document_keys(self) -> tuple[str, ...]:
        return tuple(d.key for d in self.documents if d.file_access)


def older_than_one_year(journal_date: dt.date, today: dt.date) -> bool:
    """offentlegforskrifta § 6: the journal date lies more than one year before today."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return journal_date < year_ago


def shorten(text: str, limit: int = TITLE_MAX) -> str:
    """At most `limit` characters, cut between words (never mid-word), with … where cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut and not text[limit - 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:–-") + "…"


def neutral_title(channel: str, entry_type: str) -> str:
    """offentligTittel from safe parts only: the channel and a neutral description, never citizen text."""
    description = {INCOMING: NEUTRAL_INCOMING, OUTGOING: NEUTRAL_OUTGOING}.get(entry_type, NEUTRAL_OTHER)
    return shorten(f"{channel}: {description}" if channel else description)


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def mask_text(text: str, terms: tuple[str, ...] | list[str]) -> str:
    """Replace every term (case-insensitive, longest first; whitespace inside a term may vary) by ******."""
    text = _normal(text)
    for term in sorted({_normal(t).strip() for t in terms if t and t.strip()}, key=len, reverse=True):
        pattern = r"\s+".join(re.escape(part) for part in term.split())
        text = re.sub(pattern, MASK, text, flags=re.IGNORECASE)
    return text


# Any 6+5 digit run, valid check digits or not: a mistyped fødselsnummer is still one to its owner.
_ANY_IDENTITY = re.compile(IDENTITY_CANDIDATE.pattern)


def scrub_contact_details(text: str) -> str:
    """Identity numbers, e-mail addresses, phone numbers and @handles replaced by ****** (public text)."""
    text = _ANY_IDENTITY.sub(MASK, _normal(text))
    text = EMAIL.sub(MASK, text)
    text = PHONE.sub(MASK, text)
    return HANDLE.sub(MASK, text)


def _first_line(text: str) -> str:
    lines = (text or "").splitlines()
    if not lines:
        return MASK
    return f"{lines[0]} {MASK}" if len(lines) > 1 else lines[0]


def _party_screened(party: PartyFacts, facts: EntryFacts) -> bool:
    s, cs = facts.screening, facts.case_screening
    if cs is not None and cs.screens(CASE_PARTY_NAME):
        return party.party_type not in INTERNAL_TYPES
    if s is None:
        return False
    if s.screens(CASE_PARTY_NAME) and party.party_type not in INTERNAL_TYPES:
        return True
    return s.screens(SENDER_NAME if party.party_type in SENDER_TYPES else RECIPIENT_NAME)


def protected_terms(facts: EntryFacts, *, audience: Audience, today: dt.date | None) -> tuple[str, ...]:
    """Literal strings the audience must not see anywhere in this entry."""
    if audience == Audience.ARCHIVIST:
        return ()
    terms: list[str] = []
    for screening in (facts.screening, facts.case_screening):
        if screening is not None:
            terms += screening.words
    old = audience == Audience.PUBLIC and today is not None and older_than_one_year(facts.journal_date, today)
    any_name_screened = False
    for party in facts.parties:
        screened = _party_screened(party, facts)
        any_name_screened |= screened
        if screened or (old and party.party_type not in INTERNAL_TYPES):
            terms.append(party.name)
        if screened or audience == Audience.PUBLIC:
            terms += [party.email, party.phone, party.handle]
    if any_name_screened or old or (facts.screening is not None and audience == Audience.PUBLIC):
        terms += facts.former_values
    return tuple(t for t in dict.fromkeys(terms) if t and t.strip())


def _clean(text: str, terms: tuple[str, ...], *, public: bool) -> str:
    text = mask_text(text, terms)
    return scrub_contact_details(text) if public else text


def _entry_title(facts: EntryFacts, terms: tuple[str, ...], audience: Audience) -> str:
    s = facts.screening
    if audience == Audience.PUBLIC:
        base = facts.public_title.strip() or neutral_title(facts.channel, facts.entry_type)
    elif s is not None or facts.case_screening is not None:
        base = facts.title
        if s is not None and s.screens(ENTRY_TITLE_FIRST_LINE):
            base = _first_line(base)
    else:
        base = facts.title
    title = _clean(base, terms, public=audience == Audience.PUBLIC).strip()
    return shorten(title) if title.replace(MASK, "").strip(" :–-") else MASK


def _case_title(facts: EntryFacts, terms: tuple[str, ...], audience: Audience) -> str:
    cs = facts.case_screening
    base = facts.case_title
    if audience == Audience.PUBLIC and facts.case_public_title.strip():
        base = facts.case_public_title
    elif cs is not None and cs.screens(CASE_TITLE_FIRST_LINE):
        base = _first_line(base)
    title = _clean(base, terms, public=audience == Audience.PUBLIC).strip()
    return title if title.replace(MASK, "").strip(" :–-") else MASK


def case_title_view(
    *, title: str, public_title: str, screening: ScreeningFacts | None, audience: Audience
) -> str:
    """A case's title (saksmappe tittel / offentligTittel) as `audience` may see it."""
    if audience == Audience.ARCHIVIST:
        return title
    facts = EntryFacts(
        title="",
        public_title="",
        entry_type="",
        journal_date=dt.date.min,
        case_title=title,
        case_public_title=public_title,
        case_screening=screening,
    )
    return _case_title(facts, tuple(screening.words) if screening else (), audience)


def entry_view(facts: EntryFacts, *, audience: Audience, today: dt.date | None) -> EntryView:
    """The entry as `audience` may see it on `today` (Europe/Oslo date).

    today=None leaves out the one-year rule of offentlegforskrifta § 6, which is about the journal online;
    the extract's offentligJournal.xml goes to the depot, not to the Internet.
    """
    s, cs = facts.screening, facts.case_screening
    screened = s is not None or cs is not None
    legal = s if s is not None else cs
    if audience == Audience.ARCHIVIST:
        return EntryView(
            title=facts.title,
            case_title=facts.case_title,
            parties=tuple(
                PartyView(p.party_type, p.name, screened=_party_screened(p, facts)) for p in facts.parties
            ),
            screened=screened,
            access_restriction=legal.access_restriction if legal else "",
            legal_basis=legal.legal_basis if legal else "",
            documents=tuple(DocumentView(d.key, d.title, True) for d in facts.documents),
            public_text=None,
        )
    public = audience == Audience.PUBLIC
    terms = protected_terms(facts, audience=audience, today=today)
    old = public and today is not None and older_than_one_year(facts.journal_date, today)
    title = _entry_title(facts, terms, audience)
    parties = []
    for party in facts.parties:
        if _party_screened(party, facts):
            parties.append(PartyView(party.party_type, MASK, screened=True))
        elif old and party.party_type not in INTERNAL_TYPES:
            parties.append(PartyView(party.party_type, NAME_AFTER_ONE_YEAR, screened=True))
        else:
            parties.append(PartyView(party.party_type, _clean(party.name, terms, public=public)))
    withhold_all = screened or facts.cancelled or (s is not None and bool(s.document))
    documents = []
    for document in facts.documents:
        if public and not document.main:
            continue  # attachments (images, files) cannot be made safe automatically
        own = document.screening
        if own is not None and own.screens(DOCUMENT_TITLE):
            doc_title = MASK
        elif public or document.title == facts.title:
            doc_title = title
        else:
            doc_title = _clean(document.title, terms, public=False) or MASK
        access = not withhold_all and own is None
        documents.append(DocumentView(document.key, doc_title, access))
    public_text = None
    if public and any(d.file_access for d in documents):
        text = _clean(facts.message_text, terms, public=True).strip()
        public_text = text if text.replace(MASK, "").strip() else None
        if public_text is None:
            documents = [DocumentView(d.key, d.title, False) for d in documents]
    return EntryView(
        title=title,
        case_title=_case_title(facts, terms, audience),
        parties=tuple(parties),
        screened=screened,
        access_restriction=legal.access_restriction if legal else "",
        legal_basis=legal.legal_basis if legal else "",
        documents=tuple(documents),
        public_text=public_text,
        names_hidden_by_age=old,
    )


# Offentleglova kapittel 3 (§§ 13–26) holds the exemptions; § 5 is utsatt innsyn. Anything else (a typo,
# "GDPR", "§ 99") is not a legal basis for withholding a journal entry.
EXEMPTION_PARAGRAPHS = frozenset({5, *range(13, 27)})
_LEGAL_BASIS = re.compile(r"^(?:Offl\.|offentleglova|offentlegforskrifta|Offentleglova)\s*§\s*(\d+)\b")
SUGGESTED_BASIS_PERSONAL = "Offl. § 13 jf. fvl. § 13 første ledd nr. 1"
SUGGESTED_BASIS_IDENTITY_NUMBER = "Offl. § 26 femte ledd"


def legal_basis_known(basis: str) -> bool:
    """True for a skjermingshjemmel citing an exemption of offentleglova (e.g. «Offl. § 13 jf. fvl. § 13»)."""
    match = _LEGAL_BASIS.match(" ".join(basis.split()))
    return match is not None and int(match.group(1)) in EXEMPTION_PARAGRAPHS


@dataclass(frozen=True)
class ScreeningProblem:
    """Why a screening cannot be saved or an entry cannot be approved (code, field for the form)."""

    code: str
    field: str = ""


def screening_problems(
    *,
    legal_basis: str,
    metadata: tuple[str, ...] | list[str],
    document_screening: str,
    known_metadata: tuple[str, ...],
    known_document_screenings: tuple[str, ...],
    title_after_masking: str | None = None,
) -> list[ScreeningProblem]:
    """Every problem with a screening as entered; [] means it may be saved."""
    problems = []
    basis = " ".join(legal_basis.split())
    if not basis:
        problems.append(ScreeningProblem("legal_basis_required", "legal_basis"))
    elif not legal_basis_known(basis):
        problems.append(ScreeningProblem("legal_basis_unknown", "legal_basis"))
    if any(m not in known_metadata for m in metadata):
        problems.append(ScreeningProblem("invalid_metadata", "metadata"))
    elif not metadata and not document_screening:
        problems.append(ScreeningProblem("metadata_required", "metadata"))
    if document_screening and document_screening not in known_document_screenings:
        problems.append(ScreeningProblem("invalid_document_screening", "document_screening"))
    if title_after_masking is not None and not title_after_masking.replace(MASK, "").strip(" :–-"):
        problems.append(ScreeningProblem("title_empty_after_masking", "public_title"))
    return problems
