"""ArchiveSystem speaking the Noark 5 tjenestegrensesnitt (REST, v1.1) of a remote sak- og arkivsystem.

Spec: arkivverket/noark5-tjenestegrensesnitt-standard, kapitler/06 (media type, HATEOAS, "ny-" + POST →
201 Created) and 07 (relations); URLs as in nikita-noark5-core (shared/noark5/NOTES.md § 4):
  POST {api}/arkivstruktur/arkivdel/{id}/ny-saksmappe
  POST {api}/sakarkiv/saksmappe/{id}/ny-journalpost
  POST {api}/arkivstruktur/registrering/{id}/ny-korrespondansepartperson
  POST {api}/arkivstruktur/registrering/{id}/ny-dokumentbeskrivelse
  POST {api}/arkivstruktur/dokumentbeskrivelse/{id}/ny-dokumentobjekt
  POST {api}/arkivstruktur/dokumentobjekt/{id}/referanseFil   (the file bytes)
  GET + PUT {api}/sakarkiv/saksmappe/{id}                     (close: saksstatus «Avsluttet», If-Match ETag)
The local Case/JournalEntry rows stay the mirror: the remote systemID goes into `external_reference`.
Settings (read per call): NOARK_API_URL, NOARK_API_TOKEN, NOARK_SERIES_ID (remote arkivdel systemID),
NOARK_API_TIMEOUT (seconds).
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import requests
from django.conf import settings
from django.db import transaction

from .archive_system import (
    ArchiveSystem,
    ArchiveSystemError,
    ArchiveSystemUnavailable,
    LocalArchiveSystem,
)
from .models import Case, CaseStatus, Document, DocumentMedium, JournalEntry
from .noark.codes import code_object

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from triage.models import Message, Section

logger = logging.getLogger(__name__)

NOARK_JSON = "application/vnd.noark5+json"
RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}


class ArchiveSystemErrorCode(StrEnum):
    TIMEOUT = "timeout"
    CONNECTION = "connection"
    SERVER_ERROR = "server_error"
    REJECTED = "rejected"
    BAD_RESPONSE = "bad_response"
    NOT_CONFIGURED = "not_configured"


def _error(
    message: str, *, code: ArchiveSystemErrorCode, retryable: bool, status: int | None = None
) -> ArchiveSystemError:
    """ArchiveSystemUnavailable for what a retry may cure (the registration task retries it)."""
    kind = ArchiveSystemUnavailable if retryable else ArchiveSystemError
    return kind(message, code=code, status=status)


def _code(code: str, name: str) -> dict[str, str]:
    return {"kode": code, "kodenavn": name}


class NoarkClient:
    """A thin JSON client for one Noark 5 REST core."""

    def __init__(
        self, *, base_url: str | None = None, token: str | None = None, timeout: float | None = None
    ) -> None:
        self.base_url = (base_url if base_url is not None else getattr(settings, "NOARK_API_URL", "")).rstrip(
            "/"
        )
        self.token = token if token is not None else getattr(settings, "NOARK_API_TOKEN", "")
        self.timeout = timeout if timeout is not None else getattr(settings, "NOARK_API_TIMEOUT", 10.0)
        if not self.base_url:
            raise _error(
                "NOARK_API_URL is not set", code=ArchiveSystemErrorCode.NOT_CONFIGURED, retryable=False
            )
        self.session = requests.Session()
        self.session.headers["Accept"] = NOARK_JSON
        if self.token:
            self.session.headers["Authorization"] = f"Bearer {self.token}"

    def request(
        self,
        method: str,
        path: str,
        *,
        json: dict | None = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        expect: tuple[int, ...] = (200, 201),
    ) -> requests.Response:
        url = f"{self.base_url}/{path.lstrip('/')}"
        sent = dict(headers or {})
        if json is not None:
            sent["Content-Type"] = NOARK_JSON
        try:
            response = self.session.request(
                method, url, json=json, data=data, headers=sent, timeout=self.timeout
            )
        except requests.Timeout as exc:
            raise _error(
                f"{method} {url} timed out", code=ArchiveSystemErrorCode.TIMEOUT, retryable=True
            ) from exc
        except requests.ConnectionError as exc:
            raise _error(
                f"{method} {url}: {exc}", code=ArchiveSystemErrorCode.CONNECTION, retryable=True
            ) from exc
        if response.status_code not in expect:
            retryable = response.status_code in RETRYABLE_STATUS
            code = ArchiveSystemErrorCode.SERVER_ERROR if retryable else ArchiveSystemErrorCode.REJECTED
            logger.warning(
                "journal.noark.request_failed",
                extra={"method": method, "url": url, "status": response.status_code},
            )
            raise _error(
                f"{method} {url} answered {response.status_code}: {response.text[:300]}",
                code=code,
                retryable=retryable,
                status=response.status_code,
            )
        return response

    def create(self, path: str, payload: dict) -> dict[str, Any]:
        """POST a new object (201 Created) and return its JSON; the answer must carry a systemID."""
        response = self.request("POST", path, json=payload, expect=(200, 201))
        try:
            body = response.json()
            body["systemID"]  # noqa: B018 - the one field every created object must have
        except (ValueError, KeyError, TypeError) as exc:
            raise _error(
                f"POST {path}: answer without systemID",
                code=ArchiveSystemErrorCode.BAD_RESPONSE,
                retryable=False,
                status=response.status_code,
            ) from exc
        return body


class NoarkRestArchiveSystem(ArchiveSystem):
    """Registers in the local archive (numbers, mirror rows) and in the remote Noark 5 core."""

    def __init__(self, *, client: NoarkClient | None = None, series_id: str | None = None) -> None:
        self._client = client
        self._series_id = series_id
        self.local = LocalArchiveSystem()

    @property
    def client(self) -> NoarkClient:
        if self._client is None:
            self._client = NoarkClient()
        return self._client

    @property
    def series_id(self) -> str:
        value = self._series_id or getattr(settings, "NOARK_SERIES_ID", "")
        if not value:
            raise _error(
                "NOARK_SERIES_ID is not set", code=ArchiveSystemErrorCode.NOT_CONFIGURED, retryable=False
            )
        return value

    # -- ArchiveSystem interface --------------------------------------------------------------------
    def case_create(self, *, title: str, section: Section, created_by: AbstractBaseUser) -> Case:
        case = self.local.case_create(title=title, section=section, created_by=created_by)
        # Remote only once the local case (and its number) is committed; if this push fails, the case
        # is created remotely with its first journal entry (entry_push calls case_push).
        transaction.on_commit(lambda: self._case_push_logged(case_id=case.pk), robust=True)
        return case

    def journal_entry_register(
        self, *, message: Message, case: Case, registered_by: AbstractBaseUser
    ) -> JournalEntry:
        return self.local.journal_entry_register(message=message, case=case, registered_by=registered_by)

    def journal_entry_register_outgoing(
        self, *, message: Message, case: Case, registered_by: AbstractBaseUser
    ) -> JournalEntry:
        return self.local.journal_entry_register_outgoing(
            message=message, case=case, registered_by=registered_by
        )

    def journal_entry_complete(self, *, entry: JournalEntry) -> None:
        """File the finished entry (screening applied) remotely: case, journalpost, parties, files."""
        self.entry_push(entry=entry)

    def case_close(self, *, case: Case, closed_by: AbstractBaseUser, note: str = "") -> Case:
        case = Case.objects.select_related("section").get(pk=case.pk)
        if case.status == CaseStatus.UNDER_BEHANDLING:
            case = self.local.case_close(case=case, closed_by=closed_by, note=note)
        # Closed here earlier and the remote step failed then: closing again only retries that step.
        return self.case_close_push(case=case)

    # -- remote steps (each idempotent through external_reference) ----------------------------------
    def _case_push_logged(self, *, case_id: int) -> None:
        try:
            self.case_push(case=Case.objects.select_related("section").get(pk=case_id))
        except ArchiveSystemError as exc:
            logger.warning("journal.noark.case_push_deferred", extra={"case_id": case_id, "error": str(exc)})

    def case_push(self, *, case: Case) -> Case:
        if case.external_reference:
            return case
        payload = {
            "tittel": case.title,
            "offentligTittel": case.public_title or case.title,
            "saksdato": case.case_date.isoformat(),
            "administrativEnhet": case.section.name,
            "saksstatus": code_object("saksstatus", CaseStatus.UNDER_BEHANDLING),
            "dokumentmedium": code_object("dokumentmedium", DocumentMedium.ELEKTRONISK),
        }
        body = self.client.create(f"arkivstruktur/arkivdel/{self.series_id}/ny-saksmappe", payload)
        case.external_reference = str(body["systemID"])
        case.save(update_fields=["external_reference"])
        logger.info(
            "journal.noark.case_created", extra={"case_id": case.pk, "remote": case.external_reference}
        )
        return case

    def entry_push(self, *, entry: JournalEntry) -> JournalEntry:
        if entry.external_reference:
            return entry
        case = self.case_push(case=entry.case)
        payload = {
            "tittel": entry.title,
            "offentligTittel": entry.public_title or entry.title,
            "journalposttype": code_object("journalposttype", entry.entry_type),
            "journalstatus": code_object("journalstatus", entry.status),
            "journaldato": entry.journal_date.isoformat(),
        }
        if entry.document_date:
            payload["dokumentetsDato"] = entry.document_date.isoformat()
        if entry.received_at:
            payload["mottattDato"] = entry.received_at.isoformat()
        body = self.client.create(f"sakarkiv/saksmappe/{case.external_reference}/ny-journalpost", payload)
        remote = str(body["systemID"])
        entry.external_reference = remote
        entry.save(update_fields=["external_reference"])
        for party in entry.correspondents.all():
            self.client.create(
                f"arkivstruktur/registrering/{remote}/ny-korrespondansepartperson",
                {
                    "korrespondanseparttype": code_object("korrespondanseparttype", party.correspondent_type),
                    "navn": party.name,
                    **({"epostadresse": party.email} if party.email else {}),
                },
            )
        for document in entry.documents.prefetch_related("files"):
            self.document_upload(document=document, entry_reference=remote)
        logger.info("journal.noark.entry_created", extra={"entry_id": entry.pk, "remote": remote})
        return entry

    def document_upload(self, *, document: Document, entry_reference: str) -> str:
        """dokumentbeskrivelse + one dokumentobjekt per file, then the bytes; returns the remote systemID."""
        description = self.client.create(
            f"arkivstruktur/registrering/{entry_reference}/ny-dokumentbeskrivelse",
            {
                "tittel": document.title,
                "dokumenttype": code_object("dokumenttype", document.document_type),
                "dokumentstatus": code_object("dokumentstatus", document.status),
                "tilknyttetRegistreringSom": code_object("tilknyttetRegistreringSom", document.relation),
                "dokumentnummer": document.number,
            },
        )
        for file in document.files.all():
            obj = self.client.create(
                f"arkivstruktur/dokumentbeskrivelse/{description['systemID']}/ny-dokumentobjekt",
                {
                    "versjonsnummer": file.version,
                    "variantformat": code_object("variantformat", file.variant),
                    "format": _code(file.format_details or file.format, file.format),
                    "mimeType": file.mime_type or "application/octet-stream",
                    "sjekksum": file.checksum,
                    "sjekksumAlgoritme": "SHA256",
                    "filstoerrelse": file.size,
                },
            )
            with file.file.storage.open(file.file.name, "rb") as fh:
                content = fh.read()
            self.client.request(
                "POST",
                f"arkivstruktur/dokumentobjekt/{obj['systemID']}/referanseFil",
                data=content,
                headers={"Content-Type": file.mime_type or "application/octet-stream"},
                expect=(200, 201, 204),
            )
        return str(description["systemID"])

    def case_close_push(self, *, case: Case) -> Case:
        case = self.case_push(case=case)
        path = f"sakarkiv/saksmappe/{case.external_reference}"
        current = self.client.request("GET", path)
        try:
            body = current.json()
        except ValueError as exc:
            raise _error(
                f"GET {path}: not JSON", code=ArchiveSystemErrorCode.BAD_RESPONSE, retryable=False
            ) from exc
        if isinstance(body.get("saksstatus"), dict) and body["saksstatus"].get("kode") == "A":
            return case
        body.pop("_links", None)
        body["saksstatus"] = code_object("saksstatus", CaseStatus.AVSLUTTET)
        headers = {"If-Match": current.headers["ETag"]} if "ETag" in current.headers else {}
        self.client.request("PUT", path, json=body, headers=headers)
        logger.info(
            "journal.noark.case_closed", extra={"case_id": case.pk, "remote": case.external_reference}
        )
        return case
