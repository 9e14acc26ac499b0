"""The tamper-evident trail: hash chains over the audit events and the endringslogg, their check and anchor.

Each chained row stores chain_prev (the previous row's hash, or 64 zeros for the first) and
chain_hash = sha256(chain_prev + canonical row), the canonical row being the JSON of its CHAIN_FIELDS
with sorted keys. Editing, deleting or inserting a row by SQL breaks the chain at that row; cutting rows
off the end is caught by the head (ChainHead), which every append moves forward.

Appends are serialised: every append locks all chain heads in name order (one lock order, so an audit
event and an endringslogg row written in the same transactions cannot deadlock each other) and holds them
to the end of the transaction, so ids and links follow the same order. PostgreSQL takes row locks
(SELECT ... FOR UPDATE); SQLite has no row locks, so an UPDATE of the heads takes its database write lock
first, before the head is read.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone

from .models import GENESIS_HASH, AuditAction, ChainHead, HashChainedModel

logger = logging.getLogger(__name__)


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, UUID):
        return str(value)
    return value


def canonical_row(row: models.Model, fields: tuple[str, ...]) -> bytes:
    """The bytes a link hashes: the chained fields as they read back from the database, as sorted JSON."""
    data = {}
    for name in fields:
        field = row._meta.get_field(name)
        data[name] = _plain(field.to_python(getattr(row, field.attname)))
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def link_hash(previous: str, canonical: bytes) -> str:
    return hashlib.sha256(previous.encode("ascii") + canonical).hexdigest()


def chained_models() -> list[type[HashChainedModel]]:
    return sorted(
        (m for m in apps.get_models() if issubclass(m, HashChainedModel)), key=lambda m: m._meta.label_lower
    )


def _heads_locked() -> dict[str, ChainHead]:
    names = [m._meta.label_lower for m in chained_models()]
    for _attempt in range(2):
        if connection.features.has_select_for_update:
            heads = ChainHead.objects.select_for_update().filter(name__in=names).order_by("name")
        else:
            # SQLite: take the database write lock before the head is read.
            ChainHead.objects.filter(name__in=names).update(length=F("length"))
            heads = ChainHead.objects.filter(name__in=names)
        found = {head.name: head for head in heads}
        if len(found) == len(names):
            return found
        for name in names:  # a database flushed by tests, or a chained model added after the migrations
            ChainHead.objects.get_or_create(name=name)
    raise RuntimeError("hash chain heads could not be created")


def chain_append(row: HashChainedModel, insert: Callable[[], None]) -> None:
    """Link `row` to its chain's head and insert it (the one place a chained row is written)."""
    label = row._meta.label_lower
    # No savepoint: a failed append leaves the caller's transaction failed anyway.
    with transaction.atomic(savepoint=False):
        head = _heads_locked()[label]
        row.chain_prev = head.head_hash
        row.chain_hash = link_hash(head.head_hash, canonical_row(row, type(row).CHAIN_FIELDS))
        insert()
        ChainHead.objects.filter(name=label).update(
            head_hash=row.chain_hash, length=F("length") + 1, last_id=row.pk
        )


@dataclass(frozen=True)
class ChainReport:
    chain: str
    rows: int
    head_hash: str
    broken_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None and not self.reason


def _rows(model: type[HashChainedModel]) -> Iterator[HashChainedModel]:
    return model.objects.order_by("pk").iterator(chunk_size=2000)


def chain_verify_one(model: type[HashChainedModel]) -> ChainReport:
    """Walk one chain from its first row; the first row whose link or content does not match is named."""
    label = model._meta.label_lower
    previous, rows = GENESIS_HASH, 0
    for row in _rows(model):
        if row.chain_prev != previous:
            reason = "link broken: a row before it was changed, removed or inserted"
            return ChainReport(label, rows, previous, row.pk, reason)
        if row.chain_hash != link_hash(previous, canonical_row(row, model.CHAIN_FIELDS)):
            return ChainReport(label, rows, previous, row.pk, "content changed after it was written")
        previous, rows = row.chain_hash, rows + 1
    head = ChainHead.objects.filter(name=label).first() or ChainHead(name=label)
    if head.head_hash != previous or head.length != rows:
        reason = f"rows missing at the end: the head is row {head.last_id} of {head.length}"
        return ChainReport(label, rows, previous, head.last_id, reason)
    return ChainReport(label, rows, previous)


def chain_verify(*, record: bool = True) -> list[ChainReport]:
    """Verify every chain; with `record`, store the outcome on the heads for the audit page."""
    reports = [chain_verify_one(model) for model in chained_models()]
    if record:
        now = timezone.now()
        for report in reports:
            ChainHead.objects.get_or_create(name=report.chain)
            ChainHead.objects.filter(name=report.chain).update(
                verified_at=now,
                verified_ok=report.ok,
                verified_rows=report.rows,
                broken_id=report.broken_id,
                broken_reason=report.reason[:300],
            )
    for report in reports:
        if not report.ok:
            logger.error(
                "audit.chain.broken",
                extra={"chain": report.chain, "row_id": report.broken_id, "reason": report.reason},
            )
    return reports


@dataclass(frozen=True)
class ChainStatus:
    """What the audit page shows per chain: the head, the last full verification, and a quick tail check."""

    name: str
    length: int
    head_hash: str
    verified_at: datetime | None
    verified_ok: bool | None
    broken_id: int | None
    broken_reason: str
    tail_ok: bool


def chain_status() -> list[ChainStatus]:
    heads = {head.name: head for head in ChainHead.objects.all()}
    statuses = []
    for model in chained_models():
        label = model._meta.label_lower
        head = heads.get(label) or ChainHead(name=label)
        last = model.objects.order_by("-pk").only("chain_hash").first()
        tail_ok = (last.chain_hash if last else GENESIS_HASH) == head.head_hash
        statuses.append(
            ChainStatus(
                name=str(model._meta.verbose_name_plural),
                length=head.length,
                head_hash=head.head_hash,
                verified_at=head.verified_at,
                verified_ok=head.verified_ok,
                broken_id=head.broken_id,
                broken_reason=head.broken_reason,
                tail_ok=tail_ok,
            )
        )
    return statuses


class AnchorError(RuntimeError):
    pass


def _timestamp(digest: bytes) -> tuple[bytes, datetime]:
    """An RFC 3161 time-stamp token over `digest` from AUDIT_TSA_URL (rfc3161ng); checked if a cert is set."""
    import rfc3161ng

    certificate = b""
    if settings.AUDIT_TSA_CERTIFICATE:
        with open(settings.AUDIT_TSA_CERTIFICATE, "rb") as handle:
            certificate = handle.read()
    timestamper = rfc3161ng.RemoteTimestamper(
        settings.AUDIT_TSA_URL,
        certificate=certificate or None,
        hashname="sha256",
        include_tsa_certificate=True,
        timeout=settings.AUDIT_TSA_TIMEOUT,
    )
    nonce = int.from_bytes(os.urandom(8), "big")
    try:
        token = timestamper(digest=digest, nonce=nonce)
        stamped_at = rfc3161ng.get_timestamp(token, naive=False)
    except Exception as exc:  # the library raises ValueError, PyAsn1Error, TimestampingError, ...
        raise AnchorError(f"time-stamping at {settings.AUDIT_TSA_URL} failed: {exc}") from exc
    return token, stamped_at


def chain_anchor() -> HashChainedModel:
    """Write every chain's head into the audit trail (itself a chained row) and, where configured, have an
    RFC 3161 time-stamping authority sign the heads' digest, so the trail up to now cannot be rewritten
    unnoticed even by someone who recomputes every hash."""
    from .audit import audit_record

    with transaction.atomic():
        heads = {name: {"hash": h.head_hash, "rows": h.length} for name, h in _heads_locked().items()}
    material = json.dumps(heads, sort_keys=True, separators=(",", ":")).encode()
    digest = hashlib.sha256(material).digest()
    extra: dict[str, object] = {"heads": heads, "digest": digest.hex()}
    if settings.AUDIT_TSA_URL:
        token, stamped_at = _timestamp(digest)
        extra.update(
            tsa_url=settings.AUDIT_TSA_URL,
            tsa_time=stamped_at.isoformat(),
            tsa_token=base64.b64encode(token).decode("ascii"),
        )
    event = audit_record(
        actor=None,
        action=AuditAction.ANCHORED,
        object_type="audit.chain",
        summary=f"chain heads anchored: {digest.hex()[:16]}",
        extra=extra,
    )
    logger.info(
        "audit.chain.anchored", extra={"digest": digest.hex(), "timestamped": bool(settings.AUDIT_TSA_URL)}
    )
    return event


def chain_backfill(model, head_model, fields: tuple[str, ...], batch_size: int = 2000) -> None:
    """Chain rows written before the chain existed, in id order (data migrations; historical models)."""
    label = model._meta.label_lower
    previous, length, last_id, batch = GENESIS_HASH, 0, None, []
    for row in model.objects.order_by("pk").iterator(chunk_size=batch_size):
        row.chain_prev = previous
        row.chain_hash = previous = link_hash(previous, canonical_row(row, fields))
        length, last_id = length + 1, row.pk
        batch.append(row)
        if len(batch) >= batch_size:
            model.objects.bulk_update(batch, ["chain_prev", "chain_hash"])
            batch = []
    if batch:
        model.objects.bulk_update(batch, ["chain_prev", "chain_hash"])
    head_model.objects.update_or_create(
        name=label, defaults={"head_hash": previous, "length": length, "last_id": last_id}
    )
