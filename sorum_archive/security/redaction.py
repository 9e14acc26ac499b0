"""A logging filter that redacts secrets (signature headers, tokens, cookies, passwords) from every record."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

REDACTED = "[redacted]"

# Header names (lower case, dashes) whose values are credentials. Matched by substring, so
# `x-hub-signature-256`, `x-twilio-signature` and `x-sorum-signature` are all covered.
SECRET_NAME_PARTS = (
    "authorization",
    "cookie",
    "signature",
    "token",
    "secret",
    "password",
    "passwd",
    "api-key",
    "api_key",
    "apikey",
    "csrf",
    "session",
)

_QUERY_SECRET = re.compile(
    r"(?P<key>(?:[A-Za-z0-9_.\-]*?(?:token|secret|signature|password|api[_-]?key|access[_-]?key|code|sig)"
    r"[A-Za-z0-9_.\-]*))=(?P<value>[^&\s\"'#]+)",
    re.IGNORECASE,
)
_HEADER_LINE = re.compile(
    r"(?P<key>(?:authorization|cookie|set-cookie|x-[a-z0-9-]*signature[a-z0-9-]*|x-[a-z0-9-]*token)"
    r")(?P<sep>['\"]?\s*[:=]\s*['\"]?)(?P<value>[^'\",\n]+)",
    re.IGNORECASE,
)
_BEARER = re.compile(r"\b(Bearer|Token|Basic)\s+[A-Za-z0-9._~+/=-]{8,}", re.IGNORECASE)


def is_secret_name(name: str) -> bool:
    lowered = name.lower().replace("_", "-")
    return any(part.replace("_", "-") in lowered for part in SECRET_NAME_PARTS)


def redact_text(text: str) -> str:
    text = _QUERY_SECRET.sub(lambda m: f"{m.group('key')}={REDACTED}", text)
    text = _HEADER_LINE.sub(lambda m: f"{m.group('key')}{m.group('sep')}{REDACTED}", text)
    return _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)


def redact_value(value: Any, depth: int = 0) -> Any:
    if depth > 5:
        return value
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {
            k: REDACTED if isinstance(k, str) and is_secret_name(k) else redact_value(v, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(redact_value(v, depth + 1) for v in value)
    return value


_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class RedactSecretsFilter(logging.Filter):
    """Attach to handlers: rewrites the message, its arguments and `extra=` fields before formatting."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_text(record.msg)
        if record.args:
            if isinstance(record.args, Mapping):
                record.args = redact_value(record.args)
            else:
                record.args = tuple(redact_value(arg) for arg in record.args)
        for name, value in list(vars(record).items()):
            if name in _STANDARD_ATTRS:
                continue
            record.__dict__[name] = REDACTED if is_secret_name(name) else redact_value(value)
        return True
