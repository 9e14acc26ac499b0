"""The leaks of issue #13, each replayed through the real views and services."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from journal.models import JournalStatus, Remark, Screening, ScreeningMetadata
from journal.services import (
    case_create,
    correspondent_correct,
    journal_entry_approve,
    journal_entry_register,
    screening_apply,
)
from tests.factories import (
    PASSWORD,
    ChannelFactory,
    ConversationFactory,
    MessageFactory,
    SectionFactory,
    archivist,
    caseworker,
)
from tests.triage.suggestions.helpers import identity_number

pytestmark = pytest.mark.django_db

HJEMMEL = "Offl. § 13 jf. fvl. § 13 første ledd nr. 1"
FNR = next(n for i in range(100, 500) if (n := identity_number(f"150785{i:03d}")))
STORY = f"Mitt fødselsnummer er {FNR}. Sønnen min har diagnose ADHD og trenger skyss."


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    section = SectionFactory(code="oppvekst", name="Oppvekst")
    worker = caseworker(section)
    guestbook = ChannelFactory(kind="guestbook", name="Gjestebok", section=section)
    case = case_create(title="Skoleskyss", section=section, created_by=worker)
    return {"section": section, "worker": worker, "boss": archivist(), "case": case, "guestbook": guestbook}


def _register(world, **message):
    message.setdefault("channel", world["guestbook"])
    return journal_entry_register(
        message=MessageFactory(**message), case=world["case"], registered_by=world["worker"]
    )


def _public(client) -> str:
    client.logout()
    return "".join(
        client.get(reverse(name)).content.decode()
        for name in ("public_journal:list", "public_journal:rss", "public_journal:atom")
    )


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def test_the_guestbook_story_is_screened_and_cannot_be_approved_until_decided(client, world):
    entry = _register(world, author_name="Kari Nordbakken", author_handle="kari@eksempel.no", text=STORY)
    screening = Screening.objects.get(entry=entry)
    assert screening.pending
    assert screening.access_restriction == "Unntatt offentlighet"
    assert screening.legal_basis == HJEMMEL
    assert ScreeningMetadata.NAVN_AVSENDER in screening.metadata
    assert FNR in screening.screened_words
    assert {"identity_number", "health", "child_with_diagnosis"} <= set(screening.detected)
    assert entry.public_title == "Gjestebok: Henvendelse fra innbygger"

    client.login(username=world["boss"].username, password=PASSWORD)
    page = client.get(reverse("journal:entry_detail", args=[entry.pk])).content.decode()
    assert 'data-testid="screening-suggested"' in page
    response = client.post(reverse("journal:entry_approve", args=[entry.pk]))
    assert response.status_code == 400
    html = response.content.decode()
    button = html.index('data-testid="approve"')
    error = html.index('data-testid="approve-error"')
    assert 0 < error - button < 300  # the reason stands beside the button
    entry.refresh_from_db()
    assert entry.status == JournalStatus.FERDIGSTILT
    for secret in (FNR, "diagnose", "Kari Nordbakken", "kari@eksempel.no"):
        assert secret not in _public(client)


def test_confirmed_screening_publishes_only_the_masked_journal_line(client, world):
    entry = _register(world, author_name="Kari Nordbakken", author_handle="kari@eksempel.no", text=STORY)
    client.login(username=world["boss"].username, password=PASSWORD)
    screening = Screening.objects.get(entry=entry)
    response = client.post(
        reverse("journal:entry_screen", args=[entry.pk]),
        {
            "access_restriction": screening.access_restriction,
            "legal_basis": screening.legal_basis,
            "metadata": screening.metadata,
            "screened_words": "\n".join(screening.screened_words),
            "document_screening": screening.document_screening,
        },
    )
    assert response.status_code == 302
    assert client.post(reverse("journal:entry_approve", args=[entry.pk])).status_code == 302
    public = _public(client)
    assert "Gjestebok: Henvendelse fra innbygger" in public
    for secret in (FNR, "diagnose", "Kari Nordbakken", "kari@eksempel.no", "Sønnen min h"):
        assert secret not in public
    assert "/offentlig-journal/dokument/" not in public


def test_lifting_a_suggested_screening_needs_a_reason_that_is_kept(client, world):
    entry = _register(
        world, author_name="Ola Haugerud", author_handle="ola@eksempel.no", text="Ring meg på 91234567"
    )
    client.login(username=world["boss"].username, password=PASSWORD)
    refused = client.post(reverse("journal:entry_screening_lift", args=[entry.pk]), {"reason": ""})
    assert refused.status_code == 400
    assert Screening.objects.filter(entry=entry).exists()
    client.post(reverse("journal:entry_screening_lift", args=[entry.pk]), {"reason": "Kommunens eget nummer"})
    assert not Screening.objects.filter(entry=entry).exists()
    assert Remark.objects.filter(entry=entry, text__contains="Kommunens eget nummer").exists()
    assert client.post(reverse("journal:entry_approve", args=[entry.pk])).status_code == 302
    document = entry.documents.get().files.get(format="pdf")
    text = _pdf_text(client.get(reverse("public_journal:document", args=[document.system_id])).content)
    assert "Ring meg på" in text
    assert "91234567" not in text  # contact details never reach the public PDF
    assert "ola@eksempel.no" not in text


def test_public_pdf_is_only_the_entrys_own_message_without_thread_or_address(client, world):
    facebook = ChannelFactory(kind="facebook", name="Facebook", section=world["section"])
    post = ConversationFactory(channel=facebook)
    MessageFactory(
        channel=facebook,
        conversation=post,
        author_name="Annen Innbygger",
        text="Min egen kommentar som ikke er journalført",
        sent_at=timezone.now() - dt.timedelta(hours=1),
    )
    entry = _register(
        world,
        channel=facebook,
        conversation=post,
        author_name="Siv Lysløkken",
        author_handle="siv@eksempel.no",
        text="Når blir veien brøytet?",
    )
    journal_entry_approve(entry=entry, approved_by=world["boss"])
    file = entry.documents.get().files.get(format="pdf")
    archival = _pdf_text(file.file.open("rb").read())
    assert "Annen Innbygger" in archival  # the archive keeps the context
    public = client.get(reverse("public_journal:document", args=[file.system_id]))
    assert public["Cache-Control"] == "no-store"
    text = _pdf_text(public.content)
    assert "Når blir veien brøytet?" in text
    for secret in ("Annen Innbygger", "Min egen kommentar", "siv@eksempel.no"):
        assert secret not in text


def test_a_correction_of_a_screened_name_masks_old_and_new_name(client, world):
    entry = _register(world, author_name="Tor Skjelbred", author_handle="", text="Hull i vegen")
    screening_apply(
        target=entry, applied_by=world["boss"], legal_basis=HJEMMEL, metadata=["Skjerming navn avsender"]
    )
    journal_entry_approve(entry=entry, approved_by=world["boss"])
    correspondent_correct(
        correspondent=entry.correspondents.get(), changed_by=world["boss"], name="Tor Bråtenvik"
    )
    from journal.services import journal_entry_correct

    journal_entry_correct(
        entry=entry, changed_by=world["boss"], public_title="Hull i vegen meldt av Tor Skjelbred"
    )
    public = _public(client)
    assert "Hull i vegen meldt av ******" in public
    assert "Skjelbred" not in public
    assert "Bråtenvik" not in public


def test_an_entry_screened_after_publication_disappears_at_once(client, world):
    entry = _register(world, author_name="Øydis Haugerud", author_handle="", text="Hull i vegen")
    journal_entry_approve(entry=entry, approved_by=world["boss"])
    file = entry.documents.get().files.get(format="pdf")
    assert "Øydis Haugerud" in _public(client)
    assert client.get(reverse("public_journal:document", args=[file.system_id])).status_code == 200
    screening_apply(
        target=entry, applied_by=world["boss"], legal_basis=HJEMMEL, metadata=["Skjerming navn avsender"]
    )
    assert "Øydis Haugerud" not in _public(client)
    assert client.get(reverse("public_journal:document", args=[file.system_id])).status_code == 404


def test_names_older_than_one_year_are_left_out_online(client, world):
    entry = _register(world, author_name="Bjørnar Ødegårdsli", author_handle="", text="Hull i vegen")
    journal_entry_approve(entry=entry, approved_by=world["boss"])
    type(entry).objects.filter(pk=entry.pk).update(journal_date=timezone.localdate() - dt.timedelta(days=366))
    public = _public(client)
    assert "Ødegårdsli" not in public
    assert "(navn skjermet etter ett år)" in public


@pytest.mark.parametrize("language", ["nb", "en"])
def test_screening_form_works_on_the_first_try_and_explains_bad_input(client, world, language):
    entry = _register(world, author_name="Siv Haugerud", author_handle="", text="Hull i vegen")
    client.login(username=world["boss"].username, password=PASSWORD)
    client.cookies["django_language"] = language
    page = client.get(reverse("journal:entry_detail", args=[entry.pk])).content.decode()
    # The defaults are ticked: submitting the form as shown works.
    assert 'value="Skjerming navn avsender"' in page
    assert page.count("checked") >= 2
    ok = client.post(
        reverse("journal:entry_screen", args=[entry.pk]),
        {
            "access_restriction": "Unntatt offentlighet",
            "legal_basis": HJEMMEL,
            "metadata": ["Skjerming navn avsender", "Skjerming tittel registrering - utvalgte ord"],
        },
    )
    assert ok.status_code == 302
    bad = client.post(
        reverse("journal:entry_screen", args=[entry.pk]),
        {"access_restriction": "Unntatt offentlighet", "legal_basis": "GDPR", "metadata": []},
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    summary = html.index('data-testid="form-errors"')
    assert summary < html.index('data-testid="screening-form"')  # at the top, not far down the page
    expected = {
        "nb": ("Ukjent hjemmel", "Kryss av"),
        "en": ("Unknown legal basis", "Tick at least one field"),
    }[language]
    for text in expected:
        assert text in html


def test_caseworker_without_the_right_sees_screened_entries_masked_and_no_file(client, world):
    entry = _register(world, author_name="Kari Nordbakken", author_handle="", text="Hull i vegen ved Kari")
    screening_apply(
        target=entry,
        applied_by=world["boss"],
        legal_basis=HJEMMEL,
        metadata=["Skjerming navn avsender", "Skjerming tittel registrering - utvalgte ord"],
        screened_words=["Kari"],
    )
    client.login(username=world["worker"].username, password=PASSWORD)
    page = client.get(reverse("journal:case_detail", args=[world["case"].pk])).content.decode()
    assert "Nordbakken" not in page
    assert "******" in page
    file = entry.documents.get().files.get(format="pdf")
    assert client.get(reverse("journal:document_file", args=[file.system_id])).status_code == 404
    api = client.get(reverse("noark5:journalpost_detail", args=[str(entry.system_id)])).content.decode()
    assert "Nordbakken" not in api
    assert client.get(reverse("noark5:dokumentobjekt_fil", args=[str(file.system_id)])).status_code == 403


def test_a_public_title_empty_after_masking_is_refused_on_the_form(client, world):
    entry = _register(world, author_name="Tor Skjelbred", author_handle="", text="Hull i vegen")
    screening_apply(
        target=entry, applied_by=world["boss"], legal_basis=HJEMMEL, metadata=["Skjerming navn avsender"]
    )
    client.login(username=world["boss"].username, password=PASSWORD)
    response = client.post(
        reverse("journal:entry_correct", args=[entry.pk]),
        {"title": entry.title, "public_title": "Tor Skjelbred", "klass": entry.case.klass_id},
    )
    assert response.status_code == 400
    assert "Den offentlige tittelen er tom" in response.content.decode()
    entry.refresh_from_db()
    assert entry.public_title == "Gjestebok: Henvendelse fra innbygger"
