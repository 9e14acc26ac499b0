"""Archival renderings (PDF/A-2b with WeasyPrint, UTF-8 text). Pure: data in, bytes out.

No database, no network: WeasyPrint gets a URL fetcher that only serves data: URIs, so untrusted citizen
content can never make the renderer reach out. Fonts (DejaVu, Debian fonts-dejavu-core) are embedded,
as PDF/A requires; libharfbuzz-subset0 keeps the subsetting fast.
"""

from __future__ import annotations

import base64
import hashlib
import io
import threading
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import translation

PDF_VARIANT = "pdf/a-2b"
PDF_FORMAT_DETAILS = "PDF/A-2b (fmt/477)"
TEXT_FORMAT_DETAILS = "Ren tekst UTF-8 (x-fmt/111)"
RENDERER = "WeasyPrint"
OSLO = ZoneInfo("Europe/Oslo")
# Image formats Riksarkivarens forskrift § 5-17 accepts as archival formats (PRONOM ids).
ARCHIVAL_IMAGE_FORMATS = {
    "image/jpeg": ("jpg", "JPEG (fmt/43)"),
    "image/png": ("png", "PNG (fmt/12)"),
    "image/tiff": ("tif", "TIFF 6 (fmt/353)"),
}
# Images the forskrift does not accept: the original is kept as Produksjonsformat, the page rendered to PDF/A.
RENDERABLE_IMAGE_FORMATS = ("image/gif", "image/webp")


@dataclass(frozen=True)
class ThreadLine:
    """One earlier message of the conversation, shown as context."""

    author: str
    sent_at: datetime
    text: str
    outgoing: bool = False


@dataclass(frozen=True)
class MessageRendering:
    """Everything the archival rendering of one message shows."""

    municipality: str
    channel: str
    channel_kind: str
    author: str
    author_handle: str
    sent_at: datetime
    received_at: datetime | None
    text: str
    title: str
    case_number: str
    journal_number: str
    case_entry_number: str
    entry_type: str
    context: tuple[ThreadLine, ...] = field(default_factory=tuple)
    attachment_names: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class PublicMessageRendering:
    """The public variant of one message: already screened text, no contact details, no thread."""

    municipality: str
    title: str
    journal_number: str
    case_entry_number: str
    entry_type: str
    channel: str
    author: str
    sent_at: datetime | None
    text: str


@dataclass(frozen=True)
class RenderedFile:
    content: bytes
    sha256: str
    size: int


def rendered(content: bytes) -> RenderedFile:
    return RenderedFile(content=content, sha256=hashlib.sha256(content).hexdigest(), size=len(content))


def _local(value: datetime | None) -> datetime | None:
    return value.astimezone(OSLO) if value is not None else None


def _url_fetcher():
    """A fetcher that serves only data: URIs (embedded images); anything else is refused."""
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # WeasyPrint < 70 takes a plain function
        from weasyprint import default_url_fetcher

        def fetch(url: str, timeout: int = 10, ssl_context=None) -> dict:
            if not url.startswith("data:"):
                raise ValueError(f"URI uses disallowed protocol: {url[:40]}")
            return default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)

        return fetch
    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


_local_state = threading.local()


def _font_config():
    """One FontConfiguration per thread: reusing it saves about a quarter of a rendering (bench/journal.py).

    Per thread because WeasyPrint does not promise it is thread-safe; Celery workers are processes anyway.
    """
    from weasyprint.text.fonts import FontConfiguration

    if getattr(_local_state, "font_config", None) is None:
        _local_state.font_config = FontConfiguration()
    return _local_state.font_config


def html_to_pdfa(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_url_fetcher()).write_pdf(
        pdf_variant=PDF_VARIANT, font_config=_font_config()
    )


def message_html(data: MessageRendering, *, language: str = "nb") -> str:
    context = {
        "m": data,
        "sent_at": _local(data.sent_at),
        "received_at": _local(data.received_at),
        "thread": [(line, _local(line.sent_at)) for line in data.context],
    }
    with translation.override(language):
        return render_to_string("journal/pdf/message.html", context)


def message_pdf(data: MessageRendering, *, language: str = "nb") -> RenderedFile:
    """The message as PDF/A-2b: header with numbers, channel, author and time, the thread, the text."""
    return rendered(html_to_pdfa(message_html(data, language=language)))


def public_message_pdf(data: PublicMessageRendering, *, language: str = "nb") -> RenderedFile:
    """The public variant as PDF/A-2b: the facts the public journal shows and the screened text."""
    context = {"m": data, "sent_at": _local(data.sent_at), "received_at": None, "thread": []}
    with translation.override(language):
        html = render_to_string("journal/pdf/message.html", context)
    return rendered(html_to_pdfa(html))


def message_text(data: MessageRendering) -> RenderedFile:
    """The message as UTF-8 plain text with the same header facts (archival format x-fmt/111)."""
    sent = _local(data.sent_at)
    lines = [
        data.municipality,
        f"Journalpost {data.journal_number} (sak {data.case_entry_number})",
        f"Kanal: {data.channel}",
        f"Fra: {data.author}" + (f" <{data.author_handle}>" if data.author_handle else ""),
        f"Sendt: {sent:%d.%m.%Y %H:%M} (Europe/Oslo)",
        "",
        data.text,
        "",
    ]
    return rendered("\n".join(lines).encode("utf-8"))


def image_readable(content: bytes) -> bool:
    """Whether Pillow (WeasyPrint's image reader) can decode the image: a broken one must not become an
    empty PDF/A page that passes as its archival version."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return False
    return True


def image_pdf(*, title: str, content: bytes, mime_type: str, language: str = "nb") -> RenderedFile:
    """An image attachment rendered on a PDF/A-2b page (the image itself is kept as well)."""
    uri = f"data:{mime_type};base64,{base64.b64encode(content).decode('ascii')}"
    with translation.override(language):
        html = render_to_string("journal/pdf/image.html", {"title": title, "uri": uri})
    return rendered(html_to_pdfa(html))


def text_pdf(*, title: str, text: str, language: str = "nb") -> RenderedFile:
    """A text attachment rendered as PDF/A-2b."""
    with translation.override(language):
        html = render_to_string("journal/pdf/text.html", {"title": title, "text": text})
    return rendered(html_to_pdfa(html))
