"""Nothing a citizen must be protected from reaches any surface (issue #13), on random entries.

Hypothesis draws names, fødselsnummer/D-numbers (valid and with a wrong check digit), e-mail addresses,
phone numbers, health words, another citizen's earlier message in the same thread, a corrected name,
a person's screening decision and the entry's age. Each example is registered through the real services,
approved by an archivist and then read from every surface: the public HTML, RSS, Atom, the public PDF
(text extracted with pypdf), offentligJournal.xml, the Noark 5 API as a caseworker without the screening
right and the Fiks arkivmelding. The protected strings must occur in none of them, and the surfaces must
agree on the public title.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from journal import screening as scr
from journal import screening_facts
from journal.export import rows
from journal.export.journals import write_journals
from journal.fiks.arkivmelding import arkivmelding_build
from journal.fiks.assembly import dispatch_message_build
from journal.fiks.models import FiksDispatch
from journal.models import JournalEntry, Klass, Screening, ScreeningMetadata, Series
from journal.services import (
    case_create,
    correspondent_correct,
    journal_entry_approve,
    journal_entry_register,
    screening_apply,
)
from tests.factories import ChannelFactory, ConversationFactory, MessageFactory, SectionFactory, archivist
from tests.factories import caseworker as caseworker_factory
from tests.triage.suggestions.helpers import identity_number as complete

pytestmark = pytest.mark.django_db

HJEMMEL = "Offl. § 13 jf. fvl. § 13 første ledd nr. 1"
FIRST = ["Kari", "Ola", "Ingrid", "Åsmund", "Øydis", "Bjørnar", "Siv", "Tor"]
LAST = ["Nordbakken", "Haugerud", "Lysløkken", "Ødegårdsli", "Bråtenvik", "Skjelbred"]
HEALTH = ["diagnose", "psykiatrisk", "rusbehandling", "kreftsyk", "epilepsi"]
TODAY = timezone.localdate


def fnr_strategy(valid: bool):
    def build(day: int, month: int, year: int, individual: int, d_number: bool) -> str | None:
        number = complete(f"{day + (40 if d_number else 0):02d}{month:02d}{year:02d}{individual:03d}")
        if number is None:
            return None
        if valid:
            return number
        return number[:-1] + str((int(number[-1]) + 1 + individual % 8) % 10)  # wrong second check digit

    return st.builds(
        build,
        st.integers(1, 28),
        st.integers(1, 12),
        st.integers(0, 99),
        st.integers(0, 499),
        st.booleans(),
    ).filter(lambda n: n is not None)


phones = st.builds(
    lambda digits, style: {
        0: digits,
        1: f"{digits[:3]} {digits[3:5]} {digits[5:]}",
        2: f"+47 {digits}",
        3: f"{digits[:2]} {digits[2:4]} {digits[4:6]} {digits[6:]}",
    }[style],
    st.text("0123456789", min_size=7, max_size=7).map(lambda d: "9" + d),
    st.integers(0, 3),
)


@dataclass
class Spec:
    first: str
    last: str
    fnr: str | None
    bad_fnr: str | None
    email: str | None
    phone: str | None
    health: str | None
    thread: bool
    corrected: str | None
    screen_name: bool
    old: bool
    channel_kind: str
    token: str = field(default="")

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    def text(self) -> str:
        parts = ["Hei kommunen."]
        if self.fnr:
            parts.append(f"Mitt fødselsnummer er {self.fnr}.")
        if self.bad_fnr:
            parts.append(f"Saksnummeret mitt er {self.bad_fnr}.")
        if self.health:
            parts.append(f"Sønnen min har {self.health}.")
        if self.email:
            parts.append(f"Skriv til {self.email}.")
        if self.phone:
            parts.append(f"Ring {self.phone}.")
        parts.append("Når blir det brøytet i Lundsvegen?")
        return " ".join(parts)


specs = st.builds(
    Spec,
    first=st.sampled_from(FIRST),
    last=st.sampled_from(LAST),
    fnr=st.none() | fnr_strategy(True),
    bad_fnr=st.none() | fnr_strategy(False),
    email=st.none() | st.sampled_from(["kari.n", "ola_b", "siv+kommune"]).map(lambda u: f"{u}@eksempel.no"),
    phone=st.none() | phones,
    health=st.none() | st.sampled_from(HEALTH),
    thread=st.booleans(),
    corrected=st.none() | st.sampled_from(["Bakkeløkken", "Tveitenlia"]),
    screen_name=st.booleans(),
    old=st.booleans(),
    channel_kind=st.sampled_from(["guestbook", "facebook"]),
)


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    section = SectionFactory(code="oppvekst", name="Oppvekst")
    worker = caseworker_factory(section)
    return SimpleNamespace(section=section, worker=worker, boss=archivist(), tmp=tmp_path)


def _register(world, spec: Spec) -> tuple[JournalEntry, set[str], set[str], set[str]]:
    """Register and approve one entry as the services do; return it with the strings the public and the
    caseworker must never see, and the names the journal online must leave out after one year."""
    channel = ChannelFactory(kind=spec.channel_kind, section=world.section, name="Gjestebok")
    conversation = ConversationFactory(channel=channel)
    public_protected: set[str] = set()
    staff_protected: set[str] = set()
    if spec.thread:
        other = f"Tredjemann Trådsen{spec.token}"
        MessageFactory(
            channel=channel,
            conversation=conversation,
            author_name=other,
            author_handle=f"trad{spec.token}@eksempel.no",
            text=f"Ikke registrert kommentar TRÅDHEMMELIG{spec.token}",
            sent_at=timezone.now() - dt.timedelta(minutes=5),
        )
        public_protected |= {other, f"trad{spec.token}@eksempel.no", f"TRÅDHEMMELIG{spec.token}"}
    handle = f"innbygger{spec.token}@eksempel.no"
    message = MessageFactory(
        channel=channel,
        conversation=conversation,
        author_name=spec.name,
        author_handle=handle,
        text=spec.text(),
    )
    case = case_create(title="Skoleskyss", section=world.section, created_by=world.worker)
    entry = journal_entry_register(message=message, case=case, registered_by=world.worker)
    public_protected |= {handle}
    public_protected |= {s for s in (spec.fnr, spec.bad_fnr, spec.email, spec.phone) if s}
    detected = Screening.objects.filter(entry=entry, pending=True).first()
    sensitive = bool(spec.fnr or spec.health or spec.email or spec.phone)
    assert (detected is not None) == sensitive, spec  # sensitive means screened until a person decides
    if detected is not None:
        # A person decides: the archivist confirms the suggested screening as the detector ticked it.
        screening_apply(
            target=entry,
            applied_by=world.boss,
            legal_basis=detected.legal_basis,
            metadata=detected.metadata,
            screened_words=detected.screened_words,
            document_screening=detected.document_screening,
        )
    elif spec.screen_name:
        screening_apply(
            target=entry,
            applied_by=world.boss,
            legal_basis=HJEMMEL,
            metadata=[ScreeningMetadata.NAVN_AVSENDER],
        )
    journal_entry_approve(entry=entry, approved_by=world.boss)
    names = {spec.name}
    if spec.corrected:
        new = f"{spec.first} {spec.corrected}"
        correspondent_correct(correspondent=entry.correspondents.get(), changed_by=world.boss, name=new)
        names.add(new)
    name_screened = detected is not None or spec.screen_name
    if name_screened:
        public_protected |= names
        staff_protected |= names
        staff_protected |= {s for s in (spec.fnr, spec.email, spec.phone) if s}
        if spec.health:
            public_protected.add(spec.health)
    online_protected = set(public_protected)
    if spec.old:
        JournalEntry.objects.filter(pk=entry.pk).update(journal_date=TODAY() - dt.timedelta(days=400))
        online_protected |= names  # offentlegforskrifta § 6: the journal on the Internet
    entry.refresh_from_db()
    return entry, public_protected, online_protected, staff_protected


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def _offentlig_journal(entry: JournalEntry, root: Path) -> str:
    lk = rows.Lookup(
        names=lambda *ids: "Saksbehandler",
        sections={entry.case.section_id: entry.case.section.name},
        series={pk: str(sid) for pk, sid in Series.objects.values_list("pk", "system_id")},
        classes={pk: (cid, title) for pk, cid, title in Klass.objects.values_list("pk", "class_id", "title")},
        class_sid=str,
    )
    root.mkdir(parents=True, exist_ok=True)
    write_journals(
        root=root,
        archive=SimpleNamespace(creator_id="974123456", creator_name="Sørum kommune"),
        entries=rows.journal_records(JournalEntry.objects.filter(pk=entry.pk), lk, chunk=10),
        start=entry.journal_date,
        end=entry.journal_date,
        count=1,
    )
    return (root / "offentligJournal.xml").read_text(encoding="utf-8")


def _surfaces(client, world, entry: JournalEntry, n: int) -> dict[str, str]:
    """Every public surface as text, and the caseworker's Noark API."""
    client.logout()
    page = client.get(reverse("public_journal:list")).content.decode()
    found = {
        "html": page,
        "rss": client.get(reverse("public_journal:rss")).content.decode(),
        "atom": client.get(reverse("public_journal:atom")).content.decode(),
    }
    pdfs = []
    for document_id in re.findall(r"/offentlig-journal/dokument/([0-9a-f-]{36})/", page):
        response = client.get(reverse("public_journal:document", args=[document_id]))
        assert response.status_code == 200
        pdfs.append(_pdf_text(response.content))
    found["pdf"] = "\n".join(pdfs)
    for text in pdfs:  # the extraction works: the public part of the message is there
        assert "Lundsvegen" in text, text
    found["offentligJournal.xml"] = _offentlig_journal(entry, world.tmp / f"x{n}")
    arkivmelding = arkivmelding_build(dispatch_message_build(FiksDispatch(entry=entry))[0]).decode()
    found["arkivmelding:offentligTittel"] = " ".join(
        re.findall(r"<offentligTittel>([^<]*)</offentligTittel>", arkivmelding)
    )
    found["arkivmelding:filnavn"] = " ".join(re.findall(r"<filnavn>([^<]*)</filnavn>", arkivmelding))
    found["arkivmelding"] = arkivmelding
    return found


def _noark_as_caseworker(client, world, entry: JournalEntry) -> tuple[str, list[int]]:
    client.force_login(world.worker)
    sid = str(entry.system_id)
    post = client.get(reverse("noark5:journalpost_detail", args=[sid]))
    docs = client.get(reverse("noark5:journalpost_dokumentbeskrivelse", args=[sid]))
    assert post.status_code == docs.status_code == 200
    statuses = []
    for document in entry.documents.all():
        for stored in document.files.all():
            statuses.append(
                client.get(reverse("noark5:dokumentobjekt_fil", args=[str(stored.system_id)])).status_code
            )
    client.logout()
    return post.content.decode() + docs.content.decode(), statuses


def _visible(text: str, secret: str) -> bool:
    """The secret as text, also HTML/XML-escaped or JSON-escaped."""
    forms = {secret, html.escape(secret), html.escape(secret, quote=False), json.dumps(secret)[1:-1]}
    lowered = text.lower()
    return any(form.lower() in lowered for form in forms)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=specs, n=st.integers(0, 10**6))
def test_no_protected_string_reaches_any_surface(client, world, spec, n):
    spec.token = str(n)
    with transaction.atomic():
        entry, public_protected, online_protected, staff_protected = _register(world, spec)
        surfaces = _surfaces(client, world, entry, n)
        api, file_statuses = _noark_as_caseworker(client, world, entry)
        view = screening_facts.entry_view(entry, audience=scr.Audience.PUBLIC)
        transaction.set_rollback(True)

    for surface in ("html", "rss", "atom", "pdf"):
        leaks = [s for s in online_protected if _visible(surfaces[surface], s)]
        assert not leaks, (surface, leaks, spec)
    # The depot's offentligJournal.xml and the archive's copy are not the journal online (§ 6 is).
    for part in ("offentligJournal.xml", "arkivmelding:offentligTittel", "arkivmelding:filnavn"):
        leaks = [s for s in public_protected if _visible(surfaces[part], s)]
        assert not leaks, (part, leaks, spec)
    leaks = [s for s in staff_protected if _visible(api, s)]
    assert not leaks, ("noark api as caseworker", leaks, spec)
    if staff_protected:
        assert file_statuses
        assert set(file_statuses) == {403}, spec  # referanseFil: the PDF holds the name
        assert "<erSkjermet>true</erSkjermet>" in surfaces["arkivmelding"]

    # The surfaces agree: the same public title everywhere.
    title = view.title
    assert html.escape(title, quote=False) in surfaces["html"] or html.escape(title) in surfaces["html"]
    for surface in ("rss", "atom", "offentligJournal.xml", "arkivmelding:offentligTittel"):
        assert _visible(surfaces[surface], title), (surface, title)
    assert json.dumps(title, ensure_ascii=False)[1:-1] in api or _visible(api, title)
