"""gunicorn settings (`gunicorn -c python:sorum_archive.gunicorn_conf ...`): an access log without secrets.

SMS gateways put the channel secret in the webhook URL (`?token=`); gunicorn's default access log writes
the raw request line. The logger below redacts secret query parameters and secret headers in every atom
before formatting (sorum_archive.security.redaction, the same rules as the Django log filter).
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from sorum_archive.security.redaction import REDACTED, is_secret_name, redact_text

accesslog = "-"
# The default format without the referer (a third party's URL, which can carry its own tokens).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(a)s"'


class RedactingLogger(Logger):
    """gunicorn's logger with secret values redacted from the access log atoms."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if not isinstance(value, str):
                continue
            if key.startswith("{") and key.endswith(("}i", "}o", "}e")) and is_secret_name(key[1:-2]):
                atoms[key] = REDACTED
            else:
                atoms[key] = redact_text(value)
        return atoms


logger_class = RedactingLogger
