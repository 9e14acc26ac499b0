from __future__ import annotations

import pytest
from django.urls import reverse

from journal.models import ChangeLog, JournalStatus, ScreeningMetadata
from journal.services import case_create, journal_entry_approve, journal_entry_register, screening_apply
from tests.factories import PASSWORD, MessageFactory, SectionFactory, archivist, caseworker

pytestmark = pytest.mark.django_db

SECRET_NAME = "Hemmelig Navnesen"
SECRET_WORD = "rusbehandling"
HJEMMEL = "Offl. § 13 jf. fvl. § 13 første ledd nr. 1"


@pytest.fixture
def world():
    section = SectionFactory(code="helse", name="Helse og omsorg")
    worker = caseworker(section)
    case = case_create(title="Oppfølging helse", section=section, created_by=worker)
    entry = journal_entry_register(
        message=MessageFactory(
            author_name=SECRET_NAME, author_handle="hemmelig@example.no", text=f"Søker {SECRET_WORD}"
        ),
        case=case,
        registered_by=worker,
    )
    open_entry = journal_entry_register(
        message=MessageFactory(author_name="Åpen Person", text="Hull i vegen ved skolen"),
        case=case,
        registered_by=worker,
    )
    boss = archivist()
    screening_apply(
        target=entry,
        applied_by=worker,
        legal_basis=HJEMMEL,
        metadata=[ScreeningMetadata.NAVN_AVSENDER, ScreeningMetadata.TITTEL_REGISTRERING_UTVALGTE_ORD],
        screened_words=[SECRET_WORD],
    )
    journal_entry_approve(entry=entry, approved_by=boss)
    journal_entry_approve(entry=open_entry, approved_by=boss)
    return {
        "section": section,
        "worker": worker,
        "case": case,
        "entry": entry,
        "open": open_entry,
        "boss": boss,
    }


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_review_pages_need_the_archivist_role(client, world):
    _login(client, world["worker"])
    assert client.get(reverse("journal:review_queue")).status_code == 403
    # The caseworker gets the entry as they may see it, without the archivist's forms (issue #17).
    detail = client.get(reverse("journal:entry_detail", args=[world["entry"].pk]))
    assert detail.status_code == 302
    assert detail["Location"] == reverse("journal:entry_work", args=[world["entry"].pk])
    assert client.post(reverse("journal:entry_approve", args=[world["entry"].pk])).status_code == 403


def test_archivist_approves_from_the_entry_page(client, world):
    section = world["section"]
    fresh = journal_entry_register(
        message=MessageFactory(), case=world["case"], registered_by=world["worker"]
    )
    _login(client, world["boss"])
    queue = client.get(reverse("journal:review_queue")).content.decode()
    assert reverse("journal:entry_detail", args=[fresh.pk]) in queue
    page = client.get(reverse("journal:entry_detail", args=[fresh.pk]))
    assert page.status_code == 200
    response = client.post(reverse("journal:entry_approve", args=[fresh.pk]))
    assert response.status_code == 302
    fresh.refresh_from_db()
    assert fresh.status == JournalStatus.JOURNALFOERT
    assert section.pk


def test_correcting_an_approved_entry_writes_the_change_log(client, world):
    _login(client, world["boss"])
    entry = world["open"]
    response = client.post(
        reverse("journal:entry_correct", args=[entry.pk]),
        {
            "title": "Hull i vegen",
            "public_title": "",
            "correspondent_name": "Åpen Person",
            "klass": entry.case.klass_id,
        },
    )
    assert response.status_code == 302
    change = ChangeLog.objects.get(field="tittel")
    assert change.new_value == "Hull i vegen"
    assert change.changed_by == world["boss"]


def test_a_correction_that_fails_in_a_later_step_changes_nothing(client, world, monkeypatch):
    """Before: title, correspondent and class were saved in three transactions, so a failing
    reclassification left the new title and name behind. Now one atomic service does all three."""
    from django.core.exceptions import ValidationError

    from journal.models import Klass

    entry = world["open"]
    other = Klass.objects.create(
        classification_system=entry.case.klass.classification_system, class_id="999", title="Annen klasse"
    )

    def refuse(**kwargs):
        raise ValidationError("The change log is not writable.", code="change_log_down")

    monkeypatch.setattr("journal.services.cases.change_log_write", refuse)
    _login(client, world["boss"])
    response = client.post(
        reverse("journal:entry_correct", args=[entry.pk]),
        {"title": "Ny tittel", "public_title": "", "correspondent_name": "Nytt Navn", "klass": other.pk},
    )
    assert response.status_code in (302, 400)
    entry.refresh_from_db()
    assert entry.title != "Ny tittel"
    assert entry.correspondents.get().name == "Åpen Person"
    assert entry.case.klass_id != other.pk
    assert not ChangeLog.objects.filter(field__in=["tittel", "korrespondansepartNavn"]).exists()


def test_correcting_an_entry_marked_utgaar_shows_the_refusal_on_the_form(client, world):
    """Before: the refusal has no field, and reading its message_dict answered 500."""
    from journal.services import journal_entry_cancel

    entry = journal_entry_cancel(
        entry=world["open"], cancelled_by=world["boss"], reason="Registrert to ganger"
    )
    _login(client, world["boss"])
    response = client.post(
        reverse("journal:entry_correct", args=[entry.pk]),
        {"title": "Ny tittel", "public_title": "", "correspondent_name": "", "klass": entry.case.klass_id},
    )
    assert response.status_code == 400
    entry.refresh_from_db()
    assert entry.title != "Ny tittel"


def test_return_without_remark_shows_the_form_again(client, world):
    fresh = journal_entry_register(
        message=MessageFactory(), case=world["case"], registered_by=world["worker"]
    )
    _login(client, world["boss"])
    response = client.post(reverse("journal:entry_return", args=[fresh.pk]), {"remark": ""})
    assert response.status_code == 400


def test_pdf_is_served_inline_to_staff_only(client, world):
    stored = world["open"].documents.get().files.get(format="pdf")
    url = reverse("journal:document_file", args=[stored.system_id])
    assert client.get(url).status_code == 302  # to login
    _login(client, world["worker"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_pdf_preview_may_be_framed_by_this_site_only(client, world):
    """The entry page's <iframe> preview: frame-ancestors 'self' on the PDF, 'none' everywhere else."""
    stored = world["open"].documents.get().files.get(format="pdf")
    _login(client, world["worker"])
    response = client.get(reverse("journal:document_file", args=[stored.system_id]))
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["frame-ancestors"] == "'self'"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    entry_page = client.get(world["open"].get_absolute_url())
    assert "frame-ancestors 'none'" in entry_page["Content-Security-Policy"]
    assert entry_page["X-Frame-Options"] == "DENY"


def test_case_view_lists_entries_and_documents(client, world):
    _login(client, world["worker"])
    html = client.get(world["case"].get_absolute_url()).content.decode()
    assert world["open"].number in html
    assert (
        reverse("journal:document_file", args=[world["open"].documents.get().files.first().system_id]) in html
    )


def test_public_journal_never_shows_screened_text(client, world):
    response = client.get(reverse("public_journal:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert world["open"].number in html
    assert world["entry"].number in html
    assert "******" in html
    for secret in (SECRET_NAME, "Hemmelig", "hemmelig@example.no", SECRET_WORD):
        assert secret not in html
    assert HJEMMEL in html


def test_public_journal_shows_only_approved_entries(client, world):
    pending = journal_entry_register(
        message=MessageFactory(text="Ikke godkjent ennå"), case=world["case"], registered_by=world["worker"]
    )
    html = client.get(reverse("public_journal:list")).content.decode()
    assert pending.number not in html


@pytest.mark.parametrize("feed", ["public_journal:rss", "public_journal:atom"])
def test_feeds_never_show_screened_text(client, world, feed):
    response = client.get(reverse(feed))
    assert response.status_code == 200
    xml = response.content.decode()
    assert world["open"].number in xml
    assert "******" in xml
    for secret in (SECRET_NAME, "hemmelig@example.no", SECRET_WORD):
        assert secret not in xml


def test_public_documents_of_screened_entries_are_withheld(client, world):
    screened = world["entry"].documents.get().files.get(format="pdf")
    public = world["open"].documents.get().files.get(format="pdf")
    assert client.get(reverse("public_journal:document", args=[screened.system_id])).status_code == 404
    response = client.get(reverse("public_journal:document", args=[public.system_id]))
    assert response.status_code == 200
    html = client.get(reverse("public_journal:list")).content.decode()
    assert str(screened.system_id) not in html
    assert str(public.system_id) in html


def test_public_journal_filters_by_section_and_date(client, world):
    other = SectionFactory(code="kultur", name="Kultur")
    html = client.get(reverse("public_journal:list"), {"section": other.pk}).content.decode()
    assert world["open"].number not in html
    html = client.get(reverse("public_journal:list"), {"section": world["section"].pk}).content.decode()
    assert world["open"].number in html
    html = client.get(
        reverse("public_journal:list"), {"date_from": "2000-01-01", "date_to": "2000-01-02"}
    ).content
    assert world["open"].number not in html.decode()
