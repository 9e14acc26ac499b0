from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from journal.models import Case
from triage.models import Section

from .models import DispatchStatus, FiksDispatch


def fiks_dispatch_list(*, status: str = "") -> QuerySet[FiksDispatch]:
    dispatches = FiksDispatch.objects.select_related("entry", "entry__case")
    if status in DispatchStatus.values:
        dispatches = dispatches.filter(status=status)
    return dispatches.order_by("-created_at", "-id")


def fiks_dispatch_list_for_case(*, case: Case) -> QuerySet[FiksDispatch]:
    return (
        FiksDispatch.objects.filter(entry__case=case)
        .select_related("entry")
        .order_by("entry__number_in_case")
    )


@dataclass(frozen=True)
class ArchiveSystemInUse:
    """Which sak- og arkivsystem receives the journal entries, for the archivist's page."""

    sections: str  # "" for the default
    kind: str  # local, noark_rest, fiks_arkiv, other
    path: str
    target: str  # the remote address or account, when there is one


_KINDS = {
    "journal.archive_system.LocalArchiveSystem": "local",
    "journal.archive_system_noark.NoarkRestArchiveSystem": "noark_rest",
    "journal.fiks.archive_system.FiksArkivArchiveSystem": "fiks_arkiv",
}


def _target(kind: str) -> str:
    if kind == "noark_rest":
        return settings.NOARK_API_URL
    if kind == "fiks_arkiv":
        return settings.SORUM_FIKS_ARCHIVE_ACCOUNT_ID
    return ""


def archive_systems_in_use() -> list[ArchiveSystemInUse]:
    """The default archive system (ARCHIVE_SYSTEM) and each section's own (ARCHIVE_SYSTEMS_BY_SECTION)."""
    by_path: dict[str, list[str]] = {}
    for code, path in sorted(settings.SORUM_ARCHIVE_SYSTEMS_BY_SECTION.items()):
        by_path.setdefault(path, []).append(code)
    names = dict(
        Section.objects.filter(code__in=settings.SORUM_ARCHIVE_SYSTEMS_BY_SECTION).values_list("code", "name")
    )
    default = settings.SORUM_ARCHIVE_SYSTEM
    rows = [
        ArchiveSystemInUse("", _KINDS.get(default, "other"), default, _target(_KINDS.get(default, "other")))
    ]
    for path, codes in by_path.items():
        kind = _KINDS.get(path, "other")
        rows.append(ArchiveSystemInUse(", ".join(names.get(c, c) for c in codes), kind, path, _target(kind)))
    return rows
