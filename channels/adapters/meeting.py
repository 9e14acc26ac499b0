"""Online meetings (nettmøter): a file of citizens' questions and the municipality's answers.

Provider documentation: none; the file is exported from the meeting tool by staff and uploaded in the
admin (channel action "Import meeting file") or with
`python manage.py ingest_payload <slug> <file> --content-type text/csv`.

Formats:
- CSV (UTF-8, comma or semicolon, header row): meeting, id, asked_at, asked_by, question, answered_at,
  answered_by, answer. `meeting` may instead come as the header X-Sorum-Meeting; times without a zone
  are Oslo time.
- JSON: {"meeting": {"id", "title"}, "questions": [{"id", "asked_at", "asked_by", "question",
  "answer": {"text", "answered_at", "answered_by"} | null}]}.
Each question becomes an incoming message, each answer an outgoing one in the same conversation.
Verification: staff upload only; every POST to the webhook URL is rejected.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from .base import (
    ChannelAdapter,
    ChannelConfig,
    Direction,
    InboundMessage,
    MalformedPayload,
    Payload,
    VerificationFailed,
    WebhookRequest,
)

_OSLO = ZoneInfo("Europe/Oslo")
_CSV_REQUIRED = ("id", "question")


def _when(value: Payload) -> datetime:
    moment = value.iso_datetime(assume_utc=True)
    raw = value.str().strip()
    if "+" not in raw[10:] and not raw.endswith("Z") and raw.count("-") <= 2:
        moment = moment.replace(tzinfo=_OSLO)  # staff files carry local time
    return moment


def _question(row: Payload, *, meeting: str, title: str) -> Iterable[InboundMessage]:
    question_id = row["id"].id()
    key = f"meeting:{meeting}"
    asked_at = _when(row["asked_at"])
    question_ext = f"{meeting}:q:{question_id}"
    asked_by = row.get("asked_by", "").str_or_empty()
    yield InboundMessage(
        external_id=question_ext,
        conversation_key=key,
        conversation_title=title,
        text=row["question"].str(),
        author_name=asked_by,
        author_handle=asked_by,
        sent_at=asked_at,
        event_type="meeting",
        extra={"meeting": meeting},
    )
    answer = row.get("answer", None)
    if answer.is_null():
        return
    if isinstance(answer.raw, dict):
        text, by, at = answer["text"].str(), answer.get("answered_by", ""), answer.get("answered_at", None)
    else:
        text, by, at = answer.str(), row.get("answered_by", ""), row.get("answered_at", None)
    if not text.strip():
        return
    yield InboundMessage(
        external_id=f"{meeting}:a:{question_id}",
        conversation_key=key,
        conversation_title=title,
        text=text,
        author_name=by.str_or_empty() or "Sørum kommune",
        author_handle="",
        sent_at=asked_at if at.is_null() or not at.raw else _when(at),
        event_type="meeting",
        direction=Direction.OUTGOING,
        parent_external_id=question_ext,
        extra={"meeting": meeting},
    )


class MeetingAdapter(ChannelAdapter):
    kind = "meeting"
    display_name = "Nettmøte"
    content_types = ("text/csv", "application/json")
    setup_note = "Upload the meeting's questions and answers (CSV or JSON) in the channel admin."
    setup_fields = ()
    required_fields = ()
    has_webhook = False

    @property
    def handlers(self) -> Mapping:
        return {"meeting": self._meeting}

    def verify(self, request: WebhookRequest, config: ChannelConfig) -> None:
        raise VerificationFailed("meeting files are uploaded by staff, not pushed")

    def decode(self, request: WebhookRequest) -> Payload:
        if request.content_type != "text/csv":
            return Payload.from_json(request.body)
        try:
            text = request.body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise MalformedPayload("malformed payload at $: CSV is not UTF-8") from exc
        dialect = (
            "excel-semicolon"
            if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",")
            else "excel"
        )
        reader = csv.DictReader(io.StringIO(text), delimiter=";" if dialect != "excel" else ",")
        try:
            fields = [f.strip().lower() for f in reader.fieldnames or []]
        except csv.Error as exc:
            raise MalformedPayload(f"malformed payload at $: unreadable CSV ({exc})") from exc
        missing = [name for name in _CSV_REQUIRED if name not in fields]
        if missing:
            raise MalformedPayload(f"malformed payload at $: CSV lacks column(s) {', '.join(missing)}")
        rows = []
        try:
            for row in reader:
                cleaned = {
                    (k or "").strip().lower(): (v or "").strip() for k, v in row.items() if isinstance(v, str)
                }
                if any(cleaned.values()):
                    rows.append(cleaned)
        except csv.Error as exc:
            raise MalformedPayload(f"malformed payload at $: unreadable CSV ({exc})") from exc
        meeting = request.header("x-sorum-meeting")
        return Payload(
            {"meeting": {"id": meeting, "title": request.header("x-sorum-meeting-title")}, "questions": rows}
        )

    def event_type(self, payload: Payload, request: WebhookRequest) -> str:
        return "meeting"

    def _meeting(self, payload: Payload, request: WebhookRequest) -> Iterable[InboundMessage]:
        info = payload.get("meeting", {})
        default_id = "" if info.is_null() else info.get("id", "").str_or_empty()
        default_title = "" if info.is_null() else info.get("title", "").str_or_empty()
        for row in payload["questions"].items():
            meeting = row.get("meeting", "").str_or_empty() or default_id
            if not meeting:
                raise MalformedPayload(
                    f"malformed payload at {row.path}.meeting: missing (or X-Sorum-Meeting)"
                )
            yield from _question(row, meeting=meeting, title=default_title or f"Nettmøte {meeting}")
