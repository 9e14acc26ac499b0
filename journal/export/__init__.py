"""Noark 5 v5.0 arkivuttrekk (archive extract): streaming writers, ADDML, and Arkade-style self-checks."""

from .package import ExtractDirectoryNotEmpty
from .report import CheckResult, ExtractReport
from .service import archive_extract_create

__all__ = ["CheckResult", "ExtractDirectoryNotEmpty", "ExtractReport", "archive_extract_create"]
