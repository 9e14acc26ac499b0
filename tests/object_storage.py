"""A storage backend that behaves like object storage for tests: files live in a dict keyed by name, and
there is no local path (``path()`` raises, as django-storages' S3Storage does), so a hidden
``FieldFile.path`` or MEDIA_ROOT access fails the test instead of passing on a developer's disk."""

from __future__ import annotations

import threading

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.utils.deconstruct import deconstructible

_objects: dict[str, bytes] = {}
_lock = threading.Lock()


@deconstructible
class PathlessMemoryStorage(Storage):
    def _open(self, name: str, mode: str = "rb") -> ContentFile:
        if "w" in mode or "a" in mode:
            raise NotImplementedError("object storage files are written with save()")
        with _lock:
            return ContentFile(_objects[name], name=name)

    def _save(self, name: str, content) -> str:
        content.seek(0)
        data = content.read()
        with _lock:
            _objects[name] = data if isinstance(data, bytes) else data.encode()
        return name

    def exists(self, name: str) -> bool:
        return name in _objects

    def delete(self, name: str) -> None:
        with _lock:
            _objects.pop(name, None)

    def size(self, name: str) -> int:
        return len(_objects[name])

    def url(self, name: str) -> str:
        return f"https://objects.invalid/{name}"

    def listdir(self, path: str):
        prefix = path.rstrip("/") + "/" if path else ""
        names = [n[len(prefix) :] for n in _objects if n.startswith(prefix)]
        folders = {n.split("/", 1)[0] for n in names if "/" in n}
        return sorted(folders), sorted(n for n in names if "/" not in n)


def clear() -> None:
    with _lock:
        _objects.clear()


BACKEND = f"{__name__}.PathlessMemoryStorage"
