"""A stand-in sak- og arkivsystem for development and tests (``manage.py fake_arkivsystem``).

It consumes ``arkivmelding.opprett`` from its account's queue, unpacks the ASiC-E, validates the payload
against the official schemas, files cases and journal entries in memory with its own numbers, and answers
like a real archive: ``.mottatt`` then ``.kvittering``, or ``feilmelding.ugyldigforespoersel`` for an
invalid message and ``feilmelding.ikkefunnet`` for a case it does not know. A message id it has already
answered gets the same answers again (same reply ids), so a resend never files anything twice.
No database: it can run in a thread beside the tests.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass, field

from django.utils import timezone

from .asice import AsiceError, PackageFile, asice_pack, asice_unpack
from .protocol import NS_METADATA, NS_OPPRETT, PAYLOAD_ARKIVMELDING, PAYLOAD_KVITTERING, MessageType
from .receipts import Receipt, feilmelding_build, kvittering_build
from .transport import FiksMessage, Transport
from .validation import schema_errors, xml_parse

logger = logging.getLogger(__name__)

_O = f"{{{NS_OPPRETT}}}"
_M = f"{{{NS_METADATA}}}"


class _Refusal(Exception):
    def __init__(self, kind: str, text: str) -> None:
        super().__init__(text)
        self.kind = kind
        self.text = text


@dataclass
class _ArchiveCase:
    system_id: str
    year: int
    sequence_number: int
    key: str = ""
    entries: int = 0


@dataclass
class FakeArchive:
    transport: Transport
    year: int = field(default_factory=lambda: timezone.localdate().year)
    cases: dict[tuple[int, int], _ArchiveCase] = field(default_factory=dict)
    registered: list[str] = field(default_factory=list)  # our journalpost keys, in filing order
    received: list[uuid.UUID] = field(default_factory=list)  # every delivery, duplicates included
    answers: dict[uuid.UUID, list[FiksMessage]] = field(default_factory=dict)
    _journal_sequence: int = 0
    _lock: threading.RLock = field(default_factory=threading.RLock)  # publishing may re-enter handle()
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def case_add(self, *, year: int, sequence_number: int, key: str = "") -> _ArchiveCase:
        """A case that exists in the archive already (e.g. filed by hand by the archive's staff)."""
        case = _ArchiveCase(str(uuid.uuid4()), year, sequence_number, key)
        self.cases[(year, sequence_number)] = case
        return case

    def _by_key(self, key: str) -> _ArchiveCase | None:
        return next((case for case in self.cases.values() if case.key and case.key == key), None)

    def _new_case(self, key: str) -> _ArchiveCase:
        sequence = max((s for (y, s) in self.cases if y == self.year), default=0) + 1
        return self.case_add(year=self.year, sequence_number=sequence, key=key)

    # -- one message -------------------------------------------------------------------------------------

    def handle(self, message: FiksMessage) -> None:
        if message.message_type != MessageType.OPPRETT:
            logger.info("fiks.fake.ignored", extra={"type": message.message_type})
            return
        with self._lock:
            self.received.append(message.message_id)
            replies = self.answers.get(message.message_id)
            if replies is None:
                replies = self._answer(message)
                self.answers[message.message_id] = replies
        for reply in replies:
            self.transport.send(reply)

    def _reply(
        self, message: FiksMessage, message_type: str, body: bytes = b"", seed: str = ""
    ) -> FiksMessage:
        # Reply ids derive from the request id, so a repeated answer is recognisable as the same reply.
        return FiksMessage(
            message_type=message_type,
            receiver=message.sender,
            body=body,
            message_id=uuid.uuid5(message.message_id, seed or message_type),
            in_reply_to=message.message_id,
        )

    def _answer(self, message: FiksMessage) -> list[FiksMessage]:
        try:
            receipt, case_key, entry_key = self._file(message.body)
        except _Refusal as refusal:
            logger.info("fiks.fake.refused", extra={"kind": refusal.kind, "error": refusal.text[:300]})
            body = feilmelding_build(kind=refusal.kind, error_id=str(uuid.uuid4()), text=refusal.text)
            kind_type = {
                "ugyldigforespoersel": MessageType.UGYLDIG,
                "ikkefunnet": MessageType.IKKEFUNNET,
                "serverfeil": MessageType.SERVERFEIL,
            }[refusal.kind]
            return [self._reply(message, kind_type, _pack("feilmelding.xml", body))]
        kvittering = kvittering_build(receipt=receipt, case_key=case_key, entry_key=entry_key)
        errors = schema_errors(kvittering, message_type=MessageType.KVITTERING)
        if errors:  # the stand-in must never answer with something the schemas reject
            raise AssertionError(errors)
        return [
            self._reply(message, MessageType.MOTTATT),
            self._reply(message, MessageType.KVITTERING, _pack(PAYLOAD_KVITTERING, kvittering)),
        ]

    def _file(self, body: bytes) -> tuple[Receipt, str, str]:
        try:
            package = asice_unpack(body)
        except AsiceError as exc:
            raise _Refusal("ugyldigforespoersel", f"Ugyldig ASiC-E: {exc}") from exc
        payload = package.files.get(PAYLOAD_ARKIVMELDING)
        if payload is None:
            raise _Refusal("ugyldigforespoersel", "arkivmelding.xml mangler")
        errors = schema_errors(payload, message_type=MessageType.OPPRETT)
        if errors:
            raise _Refusal("ugyldigforespoersel", "Validering feilet: " + "; ".join(errors))
        root = xml_parse(payload)
        documents = package.files.keys() - {PAYLOAD_ARKIVMELDING}
        if int(root.findtext(f"{_O}antallFiler") or -1) != len(documents):
            raise _Refusal("ugyldigforespoersel", "antallFiler stemmer ikke med filene i pakken")
        for ref in root.iter(f"{_O}referanseDokumentfil"):
            if ref.text not in documents:
                raise _Refusal("ugyldigforespoersel", f"Dokumentfil {ref.text} mangler i pakken")
        registrering = root.find(f"{_O}registrering")
        if registrering is None:
            raise _Refusal("ugyldigforespoersel", "Meldingen mangler registrering")
        case, created = self._case_for(root, registrering)
        entry_key = registrering.findtext(f"{_O}referanseEksternNoekkel/{_M}noekkel") or ""
        self._journal_sequence += 1
        case.entries += 1
        self.registered.append(entry_key)
        receipt = Receipt(
            case_system_id=case.system_id,
            case_year=case.year,
            case_sequence_number=case.sequence_number,
            case_created=created,
            entry_system_id=str(uuid.uuid4()),
            journal_year=self.year,
            journal_sequence_number=self._journal_sequence,
            entry_number=case.entries,
        )
        return receipt, case.key, entry_key

    def _case_for(self, root, registrering) -> tuple[_ArchiveCase, bool]:
        mappe = root.find(f"{_O}mappe")
        created = False
        if mappe is not None:
            key = mappe.findtext(f"{_O}referanseEksternNoekkel/{_M}noekkel") or ""
            if self._by_key(key) is None:
                self._new_case(key)
                created = True
        ref = registrering.find(f"{_O}referanseForelderMappe")
        if ref is None:
            raise _Refusal("ugyldigforespoersel", "Journalposten mangler referanseForelderMappe")
        number = ref.find(f"{_M}saksnummer")
        if number is not None:
            year = int(number.findtext(f"{_M}saksaar") or 0)
            sequence = int(number.findtext(f"{_M}sakssekvensnummer") or 0)
            case = self.cases.get((year, sequence))
            if case is None:
                raise _Refusal("ikkefunnet", f"Fant ikke saksmappe {year}/{sequence}")
            return case, created
        key = ref.findtext(f"{_M}referanseEksternNoekkel/{_M}noekkel") or ""
        case = self._by_key(key)
        if case is None:
            raise _Refusal("ikkefunnet", f"Fant ikke saksmappe med ekstern nøkkel {key}")
        return case, created

    # -- running -----------------------------------------------------------------------------------------

    def run(self, *, poll_seconds: float = 0.5) -> None:
        """Consume until stop() is called."""
        while not self._stop.is_set():
            self.transport.drain(self.handle, timeout=poll_seconds)

    def start(self) -> FakeArchive:
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, name="fake-arkivsystem", daemon=True)
        self._thread.start()
        return self

    def request_stop(self) -> None:
        self._stop.set()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.transport.close()


def _pack(name: str, payload: bytes) -> bytes:
    return asice_pack(files=[PackageFile(name, payload, "application/xml")])
