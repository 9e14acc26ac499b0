"""Every write for Fiks Arkiv: create, send and retry dispatches; apply the archive's replies.

Idempotency: a dispatch's ``message_id`` is the key. It is fixed when the dispatch is created, reused
by every resend (after a crash or a lost connection), and changed only when an archivist retries a
failed dispatch. Sending happens with the dispatch row locked and only from ``pending``, so one entry is
never sent twice concurrently; a resend after a crash between publish and commit carries the same
message id, and the archive treats it as the same message.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .arkivmelding import arkivmelding_build
from .asice import AsiceError, PackageFile, asice_pack, asice_unpack
from .assembly import dispatch_message_build
from .config import fiks_signer
from .models import DispatchError, DispatchStatus, FiksCaseLink, FiksDispatch, FiksReply, ReplyOutcome
from .protocol import PAYLOAD_ARKIVMELDING, MessageType, normalise_type
from .receipts import feilmelding_parse, kvittering_parse
from .transport import FiksMessage, Transport, TransportError
from .validation import schema_errors

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from journal.models import JournalEntry

logger = logging.getLogger(__name__)

_ERROR_CODES = {
    MessageType.UGYLDIG: DispatchError.BAD_REQUEST,
    MessageType.IKKEFUNNET: DispatchError.NOT_FOUND,
    MessageType.SERVERFEIL: DispatchError.SERVER_ERROR,
}


def _enqueue_send(dispatch_id: int) -> None:
    from .tasks import fiks_dispatch_send_task

    transaction.on_commit(lambda: fiks_dispatch_send_task.delay(dispatch_id))


def fiks_dispatch_create(*, entry: JournalEntry, send: bool = True) -> FiksDispatch:
    """The entry's dispatch, created pending once; with ``send`` the send is enqueued on commit.

    Enqueueing again is harmless: only a pending dispatch is ever sent, under a row lock.
    """
    with transaction.atomic():
        dispatch, created = FiksDispatch.objects.get_or_create(entry=entry)
        if created:
            logger.info("fiks.dispatch.created", extra={"dispatch_id": dispatch.pk, "entry_id": entry.pk})
        if send and dispatch.status == DispatchStatus.PENDING:
            _enqueue_send(dispatch.pk)
    return dispatch


def _fail(dispatch: FiksDispatch, *, code: str, text: str) -> None:
    dispatch.status = DispatchStatus.FAILED
    dispatch.error_code = code
    dispatch.error_text = text
    dispatch.failed_at = timezone.now()
    dispatch.save(update_fields=["status", "error_code", "error_text", "failed_at"])
    logger.warning(
        "fiks.dispatch.failed", extra={"dispatch_id": dispatch.pk, "error_code": code, "error": text[:500]}
    )


def fiks_dispatch_send(*, dispatch_id: int, transport: Transport) -> FiksDispatch:
    """Build, validate, pack and publish a pending dispatch. An invalid message is never sent.

    Raises TransportError when the broker is unreachable (the dispatch stays pending, the task retries).
    """
    transport_error: TransportError | None = None
    with transaction.atomic():
        dispatch = (
            FiksDispatch.objects.select_for_update(of=("self",))
            .select_related("entry__case__section", "entry__case__responsible", "entry__message")
            .get(pk=dispatch_id)
        )
        if dispatch.status != DispatchStatus.PENDING:
            return dispatch
        data, files = dispatch_message_build(dispatch, arkivdel=settings.SORUM_FIKS_ARKIVDEL)
        payload = arkivmelding_build(data)
        dispatch.payload_xml = payload.decode("utf-8")
        dispatch.case_reference = data.case_reference
        dispatch.attempts += 1
        dispatch.save(update_fields=["payload_xml", "case_reference", "attempts"])
        errors = schema_errors(payload, message_type=MessageType.OPPRETT)
        if errors:
            _fail(dispatch, code=DispatchError.INVALID, text="\n".join(errors))
            return dispatch
        package = asice_pack(
            files=[PackageFile(PAYLOAD_ARKIVMELDING, payload, "application/xml"), *files],
            signer=fiks_signer(),
        )
        message = FiksMessage(
            message_type=MessageType.OPPRETT,
            receiver=settings.SORUM_FIKS_ARCHIVE_ACCOUNT_ID,
            body=package,
            message_id=dispatch.message_id,
        )
        try:
            transport.send(message)
        except TransportError as exc:
            transport_error = exc
            dispatch.error_text = str(exc)
            dispatch.save(update_fields=["error_text"])
        else:
            dispatch.status = DispatchStatus.SENT
            dispatch.sent_at = timezone.now()
            dispatch.error_code = ""
            dispatch.error_text = ""
            dispatch.save(update_fields=["status", "sent_at", "error_code", "error_text"])
    if transport_error is not None:
        raise transport_error
    logger.info(
        "fiks.dispatch.sent", extra={"dispatch_id": dispatch.pk, "message_id": str(dispatch.message_id)}
    )
    return dispatch


def fiks_dispatch_retry(*, dispatch: FiksDispatch, retried_by: AbstractBaseUser) -> FiksDispatch:
    """Send a failed dispatch again as a new message (new id; the old one is kept in the history)."""
    with transaction.atomic():
        dispatch = FiksDispatch.objects.select_for_update(of=("self",)).get(pk=dispatch.pk)
        if dispatch.status != DispatchStatus.FAILED:
            raise ValidationError(_("Only a failed dispatch can be retried."), code="not_failed")
        dispatch.previous_message_ids = [*dispatch.previous_message_ids, str(dispatch.message_id)]
        dispatch.message_id = uuid.uuid4()
        dispatch.status = DispatchStatus.PENDING
        dispatch.retried_by = retried_by
        dispatch.sent_at = None
        dispatch.received_at = None
        dispatch.failed_at = None
        dispatch.save(
            update_fields=[
                "previous_message_ids",
                "message_id",
                "status",
                "retried_by",
                "sent_at",
                "received_at",
                "failed_at",
            ]
        )
        _enqueue_send(dispatch.pk)
    logger.info("fiks.dispatch.retried", extra={"dispatch_id": dispatch.pk, "user_id": retried_by.pk})
    return dispatch


def _apply_kvittering(dispatch: FiksDispatch, payload: bytes) -> str:
    receipt = kvittering_parse(payload)
    if receipt.case_error or receipt.entry_error:
        _fail(
            dispatch,
            code=DispatchError.KVITTERING,
            text=" ".join(filter(None, [receipt.case_error, receipt.entry_error])),
        )
        return ""
    dispatch.status = DispatchStatus.ARCHIVED
    dispatch.archived_at = timezone.now()
    dispatch.error_code = ""
    dispatch.error_text = ""
    dispatch.archive_case_year = receipt.case_year
    dispatch.archive_case_sequence_number = receipt.case_sequence_number
    dispatch.archive_case_system_id = receipt.case_system_id
    dispatch.archive_journal_year = receipt.journal_year
    dispatch.archive_journal_sequence_number = receipt.journal_sequence_number
    dispatch.archive_entry_number = receipt.entry_number
    dispatch.archive_entry_system_id = receipt.entry_system_id
    dispatch.save(
        update_fields=[
            "status",
            "archived_at",
            "error_code",
            "error_text",
            "archive_case_year",
            "archive_case_sequence_number",
            "archive_case_system_id",
            "archive_journal_year",
            "archive_journal_sequence_number",
            "archive_entry_number",
            "archive_entry_system_id",
        ]
    )
    if receipt.case_year is not None and receipt.case_sequence_number is not None:
        FiksCaseLink.objects.update_or_create(
            case_id=dispatch.entry.case_id,
            defaults={
                "archive_case_year": receipt.case_year,
                "archive_case_sequence_number": receipt.case_sequence_number,
                "archive_system_id": receipt.case_system_id,
                "updated_at": timezone.now(),
            },
        )
    return f"{dispatch.archive_case_number}-{receipt.entry_number}"


def _apply(dispatch: FiksDispatch, message_type: str, payload: bytes) -> tuple[str, str]:
    """Apply one reply to its dispatch; returns (outcome, note)."""
    if message_type == MessageType.MOTTATT:
        if dispatch.status in (DispatchStatus.PENDING, DispatchStatus.SENT):
            dispatch.status = DispatchStatus.RECEIVED
            dispatch.received_at = timezone.now()
            dispatch.save(update_fields=["status", "received_at"])
            return ReplyOutcome.APPLIED, ""
        return ReplyOutcome.IGNORED, f"mottatt in state {dispatch.status}"
    if message_type == MessageType.KVITTERING:
        return ReplyOutcome.APPLIED, _apply_kvittering(dispatch, payload)
    if message_type in _ERROR_CODES:
        if dispatch.status == DispatchStatus.ARCHIVED:
            return ReplyOutcome.IGNORED, "error after kvittering"
        _fail(dispatch, code=_ERROR_CODES[message_type], text=feilmelding_parse(payload))
        return ReplyOutcome.APPLIED, ""
    return ReplyOutcome.IGNORED, f"unexpected type {message_type}"


def _payload(body: bytes) -> bytes:
    """The reply's XML: the single payload file of its ASiC-E package, or the raw body."""
    try:
        files = asice_unpack(body).files
    except AsiceError:
        return body
    return next(iter(files.values()), b"")


def fiks_reply_receive(*, message: FiksMessage) -> FiksReply:
    """Store an incoming reply and apply it. A redelivery is a no-op; an unmatched reply is kept."""
    message_type = normalise_type(message.message_type)
    with transaction.atomic():
        existing = FiksReply.objects.filter(message_id=message.message_id).first()
        if existing is not None:
            logger.info("fiks.reply.duplicate", extra={"message_id": str(message.message_id)})
            return existing
        dispatch = None
        if message.in_reply_to is not None:
            dispatch = (
                FiksDispatch.objects.select_for_update(of=("self",))
                .select_related("entry")
                .filter(message_id=message.in_reply_to)
                .first()
            )
        outcome, note = ReplyOutcome.UNMATCHED, ""
        if dispatch is None:
            logger.warning(
                "fiks.reply.unmatched",
                extra={"message_id": str(message.message_id), "in_reply_to": str(message.in_reply_to)},
            )
        else:
            try:
                outcome, note = _apply(
                    dispatch, message_type, _payload(message.body) if message.body else b""
                )
            except (ValueError, SyntaxError) as exc:  # lxml's XMLSyntaxError is a SyntaxError
                outcome, note = ReplyOutcome.UNREADABLE, str(exc)
                logger.warning("fiks.reply.unreadable", extra={"message_id": str(message.message_id)})
        try:
            with transaction.atomic():
                reply = FiksReply.objects.create(
                    message_id=message.message_id,
                    message_type=message_type,
                    in_reply_to=message.in_reply_to,
                    dispatch=dispatch,
                    sender=message.sender,
                    headers=message.headers,
                    payload=message.body,
                    outcome=outcome,
                    note=note,
                )
        except IntegrityError:
            # Another consumer stored it first: give its row back and undo this application.
            transaction.set_rollback(True)
            return FiksReply.objects.get(message_id=message.message_id)
    logger.info(
        "fiks.reply.received",
        extra={"type": message_type, "outcome": outcome, "dispatch_id": dispatch.pk if dispatch else None},
    )
    return reply
