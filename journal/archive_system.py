"""The interface to the sak- og arkivsystem, and the built-in (local) implementation.

Every implementation subclasses ArchiveSystem and passes the one conformance suite
(tests/journal/test_archive_system_conformance.py): local, Noark 5 REST (journal.archive_system_noark)
and Fiks Arkiv (journal.fiks.archive_system). Only journal services (journal.services.archive) choose
the implementation, per section: SORUM_ARCHIVE_SYSTEM, or SORUM_ARCHIVE_SYSTEMS_BY_SECTION[section.code].

The contract, for each method:
- case_create runs inside the caller's transaction (a rollback returns the gapless case number); a remote
  implementation reaches the remote archive only after commit, or with the case's first entry.
- journal_entry_register / _outgoing register locally (numbers, documents) and may be run twice.
- journal_entry_complete hands the finished entry (documents, screening) to the remote archive; it may be
  run twice. ArchiveSystemUnavailable means "retry later": the registration task retries it.
- case_close closes locally and remotely; run twice, the remote close is a no-op.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.module_loading import import_string

from .models import Case, JournalEntry
from .services import cases as case_services
from .services import entries as entry_services

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from triage.models import Message, Section


class ArchiveSystemError(Exception):
    """Base of what an archive system implementation raises on purpose.

    code: a stable string (e.g. "timeout", "rejected"); status: the remote HTTP status, if any.
    """

    retryable = False

    def __init__(self, message: str = "", *, code: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class ArchiveSystemUnavailable(ArchiveSystemError):
    """The remote archive is down, answered 5xx or timed out: retry later, the entry stays pending."""

    retryable = True


class ArchiveSystem(ABC):
    """What registration, review and the UI need from a sak- og arkivsystem."""

    @abstractmethod
    def case_create(self, *, title: str, section: Section, created_by: AbstractBaseUser) -> Case: ...

    @abstractmethod
    def journal_entry_register(
        self, *, message: Message, case: Case, registered_by: AbstractBaseUser
    ) -> JournalEntry: ...

    @abstractmethod
    def journal_entry_register_outgoing(
        self, *, message: Message, case: Case, registered_by: AbstractBaseUser
    ) -> JournalEntry: ...

    @abstractmethod
    def journal_entry_complete(self, *, entry: JournalEntry) -> None:
        """The registration is complete (documents, screening): an external archive may file it now."""

    @abstractmethod
    def case_close(self, *, case: Case, closed_by: AbstractBaseUser, note: str = "") -> Case: ...


class LocalArchiveSystem(ArchiveSystem):
    """The built-in Noark-5-shaped archive in this database."""

    def case_create(self, *, title: str, section: Section, created_by: AbstractBaseUser) -> Case:
        return case_services.case_create(title=title, section=section, created_by=created_by)

    def journal_entry_register(
        self, *, message: Message, case: Case, registered_by: AbstractBaseUser
    ) -> JournalEntry:
        return entry_services.journal_entry_register(message=message, case=case, registered_by=registered_by)

    def journal_entry_register_outgoing(
        self, *, message: Message, case: Case, registered_by: AbstractBaseUser
    ) -> JournalEntry:
        return entry_services.journal_entry_register_outgoing(
            message=message, case=case, registered_by=registered_by
        )

    def journal_entry_complete(self, *, entry: JournalEntry) -> None:
        """Nothing to do: the entry is already in this database."""

    def case_close(self, *, case: Case, closed_by: AbstractBaseUser, note: str = "") -> Case:
        return case_services.case_close(case=case, closed_by=closed_by, note=note)


def get_archive_system(*, section: Section | None = None) -> ArchiveSystem:
    """ARCHIVE_SYSTEM, or the section's own one from ARCHIVE_SYSTEMS_BY_SECTION (section code -> path).

    Called by journal.services.archive only; everything else goes through those services.
    """
    path = settings.SORUM_ARCHIVE_SYSTEM
    if section is not None:
        path = settings.SORUM_ARCHIVE_SYSTEMS_BY_SECTION.get(section.code, path)
    return import_string(path)()
