"""Fiks Arkiv: cost of building + validating + packing one arkivmelding, and a broker round trip.

    .venv/bin/python bench/fiks.py [--messages 200]           # pure part only
    RABBITMQ_URL=amqp://guest:guest@127.0.0.1:5672// .venv/bin/python bench/fiks.py   # plus RabbitMQ

The round trip is sender -> RabbitMQ -> stand-in archive (unpack, validate, number, answer) -> RabbitMQ
-> reply drain, without the database, so it measures the protocol path, not Django.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sorum_archive.settings")

import django  # noqa: E402

django.setup()

from bench.common import record, summary_ms  # noqa: E402
from journal.fiks import arkivmelding as am  # noqa: E402
from journal.fiks.asice import PackageFile, asice_pack  # noqa: E402
from journal.fiks.fake_archive import FakeArchive  # noqa: E402
from journal.fiks.protocol import MessageType  # noqa: E402
from journal.fiks.transport import AmqpTransport, FiksMessage  # noqa: E402
from journal.fiks.validation import schema_errors, schema_for  # noqa: E402

PDF = os.urandom(150_000)  # a typical rendered PDF/A of one message
TEXT = ("Når blir det brøytet i Lundsvegen? " * 20).encode()


def _message() -> bytes:
    objects = (
        am.DocumentObject(
            "melding.pdf", "01-melding.pdf", "application/pdf", "a" * 64, len(PDF), file_format="pdf"
        ),
        am.DocumentObject("melding.txt", "02-melding.txt", "text/plain", "b" * 64, len(TEXT), variant="P"),
    )
    data = am.ArkivmeldingData(
        case=am.CaseData(
            system_id=str(uuid.uuid4()), title="Brøyting i Lundsvegen", case_date=dt.date(2026, 11, 2)
        ),
        entry=am.JournalPostData(
            system_id=str(uuid.uuid4()),
            title="Facebook: Ingrid Bakken – Når blir det brøytet?",
            correspondents=(am.Correspondent(name="Ingrid Bakken"),),
            documents=(am.Document(title="Melding", objects=objects, is_main=True),),
        ),
    )
    payload = am.arkivmelding_build(data)
    assert not schema_errors(payload, message_type=MessageType.OPPRETT)
    return asice_pack(
        files=[
            PackageFile("arkivmelding.xml", payload, "application/xml"),
            PackageFile("01-melding.pdf", PDF, "application/pdf"),
            PackageFile("02-melding.txt", TEXT, "text/plain"),
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    schema_for(MessageType.OPPRETT)  # load the schemas once, as a worker does
    timings = []
    for _ in range(args.messages):
        start = time.perf_counter()
        _message()
        timings.append(time.perf_counter() - start)
    figures = summary_ms(timings)
    print(
        f"build+validate+pack (150 kB PDF): median {figures['p50_ms']:.2f} ms, "
        f"p95 {figures['p95_ms']:.2f} ms over {args.messages} messages"
    )
    record(
        "Fiks Arkiv arkivmelding build + XSD validation + ASiC-E pack",
        figures,
        ours=f"p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms per message",
    )
    url = os.environ.get("RABBITMQ_URL")
    if not url:
        print("round trip: skipped (set RABBITMQ_URL)")
        return 0
    exchange = f"sorum-bench-{uuid.uuid4().hex[:8]}"
    sender = AmqpTransport(url=url, exchange=exchange, account_id="bench-sorum")
    archive = FakeArchive(transport=AmqpTransport(url=url, exchange=exchange, account_id="bench-arkiv"))
    try:
        sender.drain(lambda m: None, timeout=0.1)  # declare the reply queue
        archive.start()
        replies = 0
        start = time.perf_counter()
        for _ in range(args.messages):
            sender.send(
                FiksMessage(message_type=MessageType.OPPRETT, receiver="bench-arkiv", body=_message())
            )

        def count(_message) -> None:
            nonlocal replies
            replies += 1

        deadline = time.monotonic() + 120
        while replies < 2 * args.messages and time.monotonic() < deadline:
            sender.drain(count, timeout=0.5)
        elapsed = time.perf_counter() - start
        print(
            f"round trip via RabbitMQ + stand-in archive: {args.messages} messages, {replies} replies in "
            f"{elapsed:.2f} s = {args.messages / elapsed:.0f} arkivmeldinger/s"
        )
        record(
            "Fiks Arkiv round trip (RabbitMQ + stand-in archive)",
            {"messages": args.messages, "replies": replies, "per_s": round(args.messages / elapsed, 1)},
            ours=f"{args.messages / elapsed:.0f} arkivmeldinger/s with mottatt + kvittering",
        )
    finally:
        archive.stop()
        sender.purge_and_delete("bench-sorum", "bench-arkiv")
        sender.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
