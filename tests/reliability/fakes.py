"""Remote archive systems that misbehave, selected with settings.SORUM_ARCHIVE_SYSTEM in tests."""

from __future__ import annotations

from journal.archive_system import ArchiveSystemUnavailable, LocalArchiveSystem


class FlakyArchiveSystem(LocalArchiveSystem):
    """Down (5xx, timeouts) for the first `failures` registrations, then delegating to the local archive."""

    failures = 0
    calls = 0
    failure_kinds = ("503 Service Unavailable", "500 Internal Server Error", "read timeout after 30 s")

    def journal_entry_register(self, *, message, case, registered_by):
        cls = type(self)
        cls.calls += 1
        if cls.failures > 0:
            cls.failures -= 1
            raise ArchiveSystemUnavailable(cls.failure_kinds[cls.calls % len(cls.failure_kinds)])
        return super().journal_entry_register(message=message, case=case, registered_by=registered_by)
