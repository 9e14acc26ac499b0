"""Registration through the section's archive system: the only place that chooses the implementation.

Triage, the journal views and the tasks call these services; each one picks the section's ArchiveSystem
(journal.archive_system.get_archive_system) and makes the calls of the interface in the right order.
Not exported from journal.services: journal.archive_system imports that package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..archive_system import get_archive_system

# Part of what triage may call (the import contracts in .importlinter): filing a sent reply.
from .entries import journal_reply_register_enqueue  # noqa: F401

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from triage.models import Message, Section

    from ..models import Case, JournalEntry


def archive_case_create(*, title: str, section: Section, created_by: AbstractBaseUser) -> Case:
    """A new case in the section's archive system, inside the caller's transaction."""
    return get_archive_system(section=section).case_create(
        title=title, section=section, created_by=created_by
    )


def archive_case_close(*, case: Case, closed_by: AbstractBaseUser, note: str = "") -> Case:
    """Close the case here and in the archive system of its section."""
    return get_archive_system(section=case.section).case_close(case=case, closed_by=closed_by, note=note)


def archive_entry_register(*, message: Message, case: Case, registered_by: AbstractBaseUser) -> JournalEntry:
    """Register an incoming message in its case, then complete it (e.g. Fiks Arkiv sends it now).

    Safe to run twice: registration finds the entry by its message.
    """
    system = get_archive_system(section=case.section)
    entry = system.journal_entry_register(message=message, case=case, registered_by=registered_by)
    system.journal_entry_complete(entry=entry)
    return entry


def archive_entry_register_outgoing(
    *, message: Message, case: Case, registered_by: AbstractBaseUser
) -> JournalEntry:
    """Register a sent reply as an outgoing (U) entry, then complete it."""
    system = get_archive_system(section=case.section)
    entry = system.journal_entry_register_outgoing(message=message, case=case, registered_by=registered_by)
    system.journal_entry_complete(entry=entry)
    return entry
