"""Every write in the built-in archive. Import services from here."""

from .cases import case_classify, case_close, case_correct, case_create
from .changelog import change_log_write
from .documents import AttachmentData, journal_entry_documents_create, message_attachments
from .entries import (
    journal_entry_register,
    journal_entry_register_outgoing,
    journal_reply_register_enqueue,
    message_title,
)
from .review import (
    REVIEWABLE,
    correspondent_correct,
    journal_entry_approve,
    journal_entry_archive,
    journal_entry_cancel,
    journal_entry_classify,
    journal_entry_correct,
    journal_entry_metadata_correct,
    journal_entry_resubmit,
    journal_entry_return,
    remark_add,
    screening_apply,
    screening_detect,
    screening_lift,
)
from .structure import (
    PeriodCloseResult,
    archive_default_get_or_create,
    klass_for_section,
    klass_rename,
    series_active_get_or_create,
    series_close,
    series_reopen,
    series_successor_get_or_create,
)

__all__ = [
    "REVIEWABLE",
    "AttachmentData",
    "archive_default_get_or_create",
    "case_classify",
    "case_close",
    "case_correct",
    "case_create",
    "change_log_write",
    "correspondent_correct",
    "journal_entry_approve",
    "journal_entry_archive",
    "journal_entry_cancel",
    "journal_entry_classify",
    "journal_entry_correct",
    "journal_entry_metadata_correct",
    "journal_entry_documents_create",
    "journal_entry_register",
    "journal_entry_register_outgoing",
    "journal_entry_resubmit",
    "journal_entry_return",
    "journal_reply_register_enqueue",
    "klass_for_section",
    "klass_rename",
    "message_attachments",
    "message_title",
    "remark_add",
    "screening_apply",
    "screening_detect",
    "screening_lift",
    "series_active_get_or_create",
    "series_close",
    "series_reopen",
    "series_successor_get_or_create",
    "PeriodCloseResult",
]
