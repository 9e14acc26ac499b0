"""Stored files as every app needs them: a whitelisted extension per sniffed type, a citizen's file name as
display metadata only. Pure; channels (attachments) and journal (documents) both use it."""

from __future__ import annotations

import re
import unicodedata

_UNSAFE_NAME = re.compile(r'[<>:"|?*\x00-\x1f]+')

EXTENSIONS: dict[str, str] = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "application/zip": "zip",
    "audio/mpeg": "mp3",
    "audio/ogg": "ogg",
    "video/mp4": "mp4",
    "text/plain": "txt",
}


def extension_for(content_type: str) -> str:
    """The file extension for a sniffed content type from the whitelist; "bin" for anything else."""
    return EXTENSIONS.get(content_type.split(";")[0].strip().lower(), "bin")


def filename_sanitise(name: str) -> str:
    """A citizen's file name as display metadata only: last path part, no control or path characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE_NAME.sub("_", name).strip(" .")
    return name[:200]
