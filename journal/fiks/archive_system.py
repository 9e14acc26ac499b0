"""The Fiks Arkiv implementation of the ArchiveSystem interface.

The local Case and JournalEntry rows stay as the mirror (numbers in this system, visible to users);
each registered entry gets a FiksDispatch that carries it to the sak- og arkivsystem as an arkivmelding
and shows how far it got, and the archive's own numbers once its kvittering arrives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from journal import services as journal_services
from journal.archive_system import LocalArchiveSystem

from .services import fiks_dispatch_create

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from journal.models import Case, JournalEntry
    from triage.models import Message


class FiksArkivArchiveSystem(LocalArchiveSystem):
    """Cases are created in the archive together with their first journal entry (saksmappe + journalpost)."""

    def journal_entry_register(
        self, *, message: Message, case: Case, registered_by: AbstractBaseUser
    ) -> JournalEntry:
        # The local registration commits the entry, then its documents; the dispatch comes last so the
        # message is built with every document. A crash in between is healed by the task's retry (both
        # steps are idempotent) or by the pending sweep.
        entry = journal_services.journal_entry_register(
            message=message, case=case, registered_by=registered_by
        )
        fiks_dispatch_create(entry=entry)
        return entry

    def journal_entry_register_outgoing(
        self, *, message: Message, case: Case, registered_by: AbstractBaseUser
    ) -> JournalEntry:
        entry = journal_services.journal_entry_register_outgoing(
            message=message, case=case, registered_by=registered_by
        )
        fiks_dispatch_create(entry=entry, send=False)
        return entry

    def journal_entry_complete(self, *, entry: JournalEntry) -> None:
        fiks_dispatch_create(entry=entry, send=True)
