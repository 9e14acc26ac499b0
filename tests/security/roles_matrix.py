"""Expected HTTP status per URL name and role: the single table the roles matrix test checks.

Every named URL in the URL conf must have a row (the test fails naming the missing ones), so a new view
cannot ship without someone deciding who may open it. To add a view:

    "app:url_name": Expect(caseworker_own=200, caseworker_other=404, ..., objects={"pk": "message"}),

Roles: anonymous; caseworker_own (member of the section that owns the objects); caseworker_other (member of
another section); archivist (sees every section); admin (staff, admin group). `objects` maps each path
argument to a fixture object (see `matrix_objects` in test_roles_matrix.py: message, case, channel, section,
entry, user); ints get its pk, slugs its slug. `method` is the HTTP method tried (GET by default); add one
row per extra method under a name like "app:url_name POST" with `name=` set.

Anonymous users are sent to the login page (302) by HTML views and get 403 from the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("anonymous", "caseworker_own", "caseworker_other", "archivist", "admin")


@dataclass(frozen=True)
class Expect:
    anonymous: int = 302
    caseworker_own: int = 200
    caseworker_other: int = 200
    archivist: int = 200
    admin: int = 200
    objects: dict[str, str] = field(default_factory=dict)
    method: str = "get"
    data: dict | None = None
    name: str = ""  # the URL name when the row key is not one (extra methods)

    def status_for(self, role: str) -> int:
        return getattr(self, role)


def everyone(status: int, **kwargs) -> Expect:
    return Expect(
        anonymous=status,
        caseworker_own=status,
        caseworker_other=status,
        archivist=status,
        admin=status,
        **kwargs,
    )


# URL names excluded on purpose, with the place they are tested instead.
EXCLUDED = {
    "noark5:ny_template": "405 for every method and role: tests/journal/test_noark_api_spec.py",
    "channels:webhook": "public by design, authenticated by signature: tests/channels/test_webhook.py",
}
# Whole URL prefixes excluded: the Django admin's own views (its staff-only gate is tested separately).
EXCLUDED_PREFIXES = ("admin/",)

EXPECTATIONS: dict[str, Expect] = {
    "healthz": everyone(200),
    "robots_txt": everyone(200),
    "privacy": everyone(200),
    "login": everyone(200),
    "logout": Expect(
        method="post", anonymous=302, caseworker_own=302, caseworker_other=302, archivist=302, admin=302
    ),
    "set_language": Expect(
        method="post",
        data={"language": "nb", "next": "/"},
        anonymous=302,
        caseworker_own=302,
        caseworker_other=302,
        archivist=302,
        admin=302,
    ),
    "api-schema": Expect(anonymous=403),
    "api-docs": Expect(anonymous=403),
    "triage:inbox": Expect(),
    "triage:message_detail": Expect(caseworker_other=404, objects={"pk": "message"}),
    "journal:case_detail": Expect(caseworker_other=404, objects={"pk": "case"}),
    "journal:review_queue": Expect(caseworker_own=403, caseworker_other=403),
    # A caseworker is sent to the entry as they may see it (issue #17); outside their sections: 404.
    "journal:entry_detail": Expect(caseworker_own=302, caseworker_other=404, objects={"pk": "entry"}),
    "journal:returned_list": Expect(),
    "journal:case_list": Expect(),
    "journal:entry_list": Expect(),
    "journal:backlog": Expect(),
    "journal:entry_register": Expect(caseworker_other=404, objects={"pk": "case"}),
    "journal:entry_write_off": everyone(405, objects={"pk": "entry"}),
    "journal:entry_work": Expect(caseworker_other=404, objects={"pk": "entry"}),
    "journal:entry_move": everyone(405, objects={"pk": "entry"}),
    "journal:entry_resubmit": everyone(405, objects={"pk": "entry"}),
    # The archivist's actions are POST only: a GET is 405 before anything else.
    "journal:entry_approve": everyone(405, objects={"pk": "entry"}),
    "journal:entry_return": everyone(405, objects={"pk": "entry"}),
    "journal:entry_correct": everyone(405, objects={"pk": "entry"}),
    "journal:entry_screen": everyone(405, objects={"pk": "entry"}),
    "journal:entry_screening_lift": everyone(405, objects={"pk": "entry"}),
    "journal:entry_screen_suggestion": everyone(405, objects={"pk": "entry"}),
    "journal:entry_archive": everyone(405, objects={"pk": "entry"}),
    "journal:entry_cancel": everyone(405, objects={"pk": "entry"}),
    # GET asks the archivist to confirm (issue #17); POST closes.
    "journal:case_close": Expect(caseworker_own=403, caseworker_other=403, objects={"pk": "case"}),
    "journal:review_bulk_approve": everyone(405),
    # The archivist approves first; the admin's second approval is refused, with the reason beside the
    # button (the page again, 400).
    "journal:entry_approve POST": Expect(
        name="journal:entry_approve",
        method="post",
        caseworker_own=403,
        caseworker_other=403,
        archivist=302,
        admin=400,
        objects={"pk": "entry"},
    ),
    "journal:case_close POST": Expect(
        name="journal:case_close",
        method="post",
        caseworker_own=403,
        caseworker_other=403,
        archivist=302,
        admin=302,
        objects={"pk": "case"},
    ),
    "journal:document_file": Expect(caseworker_other=404, objects={"system_id": "document_file"}),
    "public_journal:list": everyone(200),
    "public_journal:rss": everyone(200),
    "public_journal:atom": everyone(200),
    "public_journal:document": everyone(404, objects={"system_id": "document_file"}),
    # The fixture's entry is not approved, so it is not in the public journal: no innsyn form for it.
    "public_journal:innsyn": everyone(404, objects={"system_id": "entry"}),
    "public_journal:innsyn_thanks": everyone(200),
    # The inbox UI and API (lists are filtered to the user's sections inside; detail is 404 outside them).
    "triage:my_queue": Expect(),
    "triage:inbox_counts": Expect(),
    "triage:case_search": Expect(),
    "triage:inbox_newer": Expect(caseworker_own=404, caseworker_other=404, archivist=404, admin=404),
    "triage:decide": Expect(caseworker_own=405, caseworker_other=405, archivist=405, admin=405),
    "triage:bulk_decide": Expect(caseworker_own=405, caseworker_other=405, archivist=405, admin=405),
    "triage:undo": Expect(caseworker_own=405, caseworker_other=405, archivist=405, admin=405),
    "triage:assign": Expect(caseworker_own=405, caseworker_other=405, archivist=405, admin=405),
    "dashboard:index": Expect(),
    "dashboard:csv": Expect(),
    "api:message_list": Expect(anonymous=403),
    "api:message_detail": Expect(anonymous=403, caseworker_other=404, objects={"pk": "message"}),
    "api:case_list": Expect(anonymous=403),
    "api:decision_create": Expect(
        anonymous=403, caseworker_own=405, caseworker_other=405, archivist=405, admin=405
    ),
    "api:case_create": Expect(
        anonymous=403, caseworker_own=405, caseworker_other=405, archivist=405, admin=405
    ),
    # No attachment in the fixture: an unknown id still shows that anonymous users are sent to log in.
    "channels:attachment": Expect(
        caseworker_own=404, caseworker_other=404, archivist=404, admin=404, objects={"pk": "message"}
    ),
    "fiks:dispatch_list": Expect(caseworker_own=403, caseworker_other=403),
    "fiks:dispatch_retry": everyone(405, objects={"pk": "message"}),
    # The public guestbook form answers only for guestbook channels (the fixture's channel is not one).
    "guestbook:form": everyone(404, objects={"slug": "channel"}),
    "guestbook:thanks": everyone(404, objects={"slug": "channel"}),
    # The Noark 5 extract is the archivist's (journal.export_archive). The fixture's job is pending: its
    # page and status answer, the zip does not exist yet (404 for those allowed, 403 before that).
    "export:list": Expect(caseworker_own=403, caseworker_other=403),
    "export:detail": Expect(caseworker_own=403, caseworker_other=403, objects={"pk": "export_job"}),
    "export:status": Expect(caseworker_own=403, caseworker_other=403, objects={"pk": "export_job"}),
    "export:download": Expect(
        caseworker_own=403, caseworker_other=403, archivist=404, admin=404, objects={"pk": "export_job"}
    ),
    # Period closing is the archivist's too (same permission); GET shows the periods.
    "export:periods": Expect(caseworker_own=403, caseworker_other=403),
    # The Noark 5 REST API (journal.view_case; an API: anonymous gets 403). The archive and its series
    # are not any section's; cases, entries, documents and files are their case's section's, so another
    # section's caseworker gets 404 as in journal:case_detail.
    "noark5:root": Expect(anonymous=403),
    "noark5:arkivstruktur": Expect(anonymous=403),
    "noark5:sakarkiv": Expect(anonymous=403),
    "noark5:arkiv_list": Expect(anonymous=403),
    "noark5:arkiv_detail": Expect(anonymous=403, objects={"system_id": "archive"}),
    "noark5:arkivdel_list": Expect(anonymous=403),
    "noark5:arkivdel_detail": Expect(anonymous=403, objects={"system_id": "series"}),
    "noark5:saksmappe_list": Expect(anonymous=403),
    "noark5:saksmappe_detail": Expect(anonymous=403, caseworker_other=404, objects={"system_id": "case"}),
    "noark5:saksmappe_journalpost": Expect(
        anonymous=403, caseworker_other=404, objects={"system_id": "case"}
    ),
    "noark5:journalpost_list": Expect(anonymous=403),
    "noark5:journalpost_detail": Expect(anonymous=403, caseworker_other=404, objects={"system_id": "entry"}),
    "noark5:journalpost_dokumentbeskrivelse": Expect(
        anonymous=403, caseworker_other=404, objects={"system_id": "entry"}
    ),
    "noark5:dokumentbeskrivelse_detail": Expect(
        anonymous=403, caseworker_other=404, objects={"system_id": "document"}
    ),
    "noark5:dokumentobjekt_detail": Expect(
        anonymous=403, caseworker_other=404, objects={"system_id": "document_file"}
    ),
    "noark5:dokumentobjekt_fil": Expect(
        anonymous=403, caseworker_other=404, objects={"system_id": "document_file"}
    ),
    "noark5:metadata": Expect(anonymous=403),
    "noark5:metadata_list": Expect(anonymous=403, objects={"kodeliste": "code_list"}),
    "noark5:klassifikasjonssystem_list": Expect(anonymous=403),
    "noark5:klassifikasjonssystem_detail": Expect(
        anonymous=403, objects={"system_id": "classification_system"}
    ),
    "noark5:klasse_list": Expect(anonymous=403),
    "noark5:klasse_detail": Expect(anonymous=403, objects={"system_id": "klass"}),
    "noark5:mappe_list": Expect(anonymous=403),
    "noark5:registrering_list": Expect(anonymous=403),
    "noark5:dokumentbeskrivelse_list": Expect(anonymous=403),
    "noark5:korrespondansepart_list": Expect(anonymous=403),
    "noark5:korrespondansepart_detail": Expect(
        anonymous=403, caseworker_other=404, objects={"system_id": "correspondent"}
    ),
}


# Object-level choices: places where a user is shown or picks a case. The matrix case belongs to the section
# "matrise-egen"; True means the role is shown the case there (or may file a message into it). A caseworker of
# another section must neither see its title nor file into it. Each key has a probe in test_roles_matrix.py.
@dataclass(frozen=True)
class Choice:
    caseworker_own: bool = True
    caseworker_other: bool = False
    archivist: bool = True
    admin: bool = True

    def allowed_for(self, role: str) -> bool:
        return getattr(self, role)


CHOICE_ROLES = ("caseworker_own", "caseworker_other", "archivist", "admin")

OBJECT_CHOICES: dict[str, Choice] = {
    "case picker search by title (/saker/sok/?q=)": Choice(),
    "case picker search by number": Choice(),
    "case picker search without words": Choice(),
    "API case list (/api/cases/)": Choice(),
    "API case list by number": Choice(),
    "case-number suggestion on the message page": Choice(),
    "API decision into the case (POST /api/decisions/)": Choice(),
    "API decision into the case by number": Choice(),
    "HTML decision form into the case (message page)": Choice(),
    "HTML decision form into the case (inbox row)": Choice(),
}
