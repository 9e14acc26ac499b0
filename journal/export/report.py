"""The result of an extract: what was written and what the Arkade-style self-checks found."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

MAX_MESSAGES = 20


@dataclass
class CheckResult:
    """One check (named after Arkade's test id where one exists, e.g. N5.30)."""

    code: str
    name: str
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    info: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def warn(self, message: str) -> None:
        if len(self.warnings) < MAX_MESSAGES:
            self.warnings.append(message)

    def fail(self, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_MESSAGES:
            self.errors.append(message)


@dataclass
class ExtractReport:
    directory: Path
    folders: int = 0
    registrations: int = 0
    documents: int = 0
    document_files: int = 0
    journal_entries: int = 0
    changes: int = 0
    seconds: float = 0.0
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def check(self, code: str, name: str) -> CheckResult:
        result = CheckResult(code=code, name=name)
        self.checks.append(result)
        return result

    def as_dict(self) -> dict:
        data = asdict(self)
        data["directory"] = str(self.directory)
        data["ok"] = self.ok
        for item, check in zip(data["checks"], self.checks, strict=True):
            item["ok"] = check.ok
        return data

    def as_text(self) -> str:
        lines = [
            # No server path: the report goes to the archive with the deposit (issue #15, 7).
            "Kontrollrapport for Noark 5-arkivuttrekk",
            f"  saksmapper {self.folders}, journalposter {self.registrations}, dokumentbeskrivelser "
            f"{self.documents}, dokumentfiler {self.document_files}, endringer {self.changes}, "
            f"{self.seconds:.1f} s",
        ]
        for check in self.checks:
            status = "OK  " if check.ok else "FEIL"
            extra = f" ({check.info})" if check.info else ""
            lines.append(f"  [{status}] {check.code} {check.name}{extra}")
            for message in check.errors:
                lines.append(f"         - {message}")
            for message in check.warnings:
                lines.append(f"         advarsel: {message}")
            if check.error_count > len(check.errors):
                lines.append(f"         ... og {check.error_count - len(check.errors)} til")
        lines.append("GYLDIG" if self.ok else "UGYLDIG")
        return "\n".join(lines)
