"""The interface to the sak- og arkivsystem, and the built-in (local) implementation.

Selected with the ARCHIVE_SYSTEM setting (dotted path); Fiks Arkiv and the Noark 5 REST API are other
implementations of the same interface.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from . import services
from .models import Case, JournalEntry

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from triage.models import Message, Section


class ArchiveSystemError(Exception):
    """Base of what an archive system implementation raises on purpose."""


class ArchiveSystemUnavailable(ArchiveSystemError):
    """The remote archive is down, answered 5xx or timed out: retry later, the entry stays pending."""


class ArchiveSystem(Protocol):
    def case_create(self, *, title: str, section: Section, created_by: AbstractBaseUser) -> Case: ...

    def journal_entry_register(
        self, *, message: Message, case: Case, registered_by: AbstractBaseUser
    ) -> JournalEntry: ...

    def journal_entry_register_outgoing(
        self, *, message: Message, case: Case, registered_by: AbstractBaseUser
    ) -> JournalEntry: ...

    def case_close(self, *, case: Case, closed_by: AbstractBaseUser) -> Case: ...

    def journal_entry_complete(self, *, entry: JournalEntry) -> None:
        """The registration is complete (documents, screening): an external archive may file it now."""


class LocalArchiveSystem:
    """The built-in Noark-5-shaped archive in this database."""

    def case_create(self, *, title: str, section: Section, created_by: AbstractBaseUser) -> Case:
        return services.case_create(title=title, section=section, created_by=created_by)

    def journal_entry_register(
        self, *, message: Message, case: Case, registered_by: AbstractBaseUser
    ) -> JournalEntry:
        return services.journal_entry_register(message=message, case=case, registered_by=registered_by)

    def journal_entry_register_outgoing(
        self, *, message: Message, case: Case, registered_by: AbstractBaseUser
    ) -> JournalEntry:
        return services.journal_entry_register_outgoing(
            message=message, case=case, registered_by=registered_by
        )

    def case_close(self, *, case: Case, closed_by: AbstractBaseUser) -> Case:
        return services.case_close(case=case, closed_by=closed_by)

    def journal_entry_complete(self, *, entry: JournalEntry) -> None:
        """Nothing to do: the entry is already in this database."""


def get_archive_system(*, section: Section | None = None) -> ArchiveSystem:
    """ARCHIVE_SYSTEM, or the section's own one from ARCHIVE_SYSTEMS_BY_SECTION (section code -> path)."""
    path = settings.SORUM_ARCHIVE_SYSTEM
    if section is not None:
        path = settings.SORUM_ARCHIVE_SYSTEMS_BY_SECTION.get(section.code, path)
    return import_string(path)()
