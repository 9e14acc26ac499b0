"""The slim path for provider webhooks: a WSGI handler with only the middleware a webhook needs.

A delivery from Meta, X or an SMS gateway carries no session, no user, no CSRF token and no language; it is
authenticated by its signature in the view. The full stack (sessions, locale, CSRF, auth, read-your-writes,
audit, messages, axes) costs a webhook request time and gives it nothing, so `/channels/<slug>/webhook/` goes
to a handler of its own (issue #18). It keeps what a webhook answer needs: the security headers and the 503
with Retry-After when the database is lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.utils.module_loading import import_string

WEBHOOK_PATH = re.compile(r"^/channels/[-a-zA-Z0-9_]+/webhook/$")

# Same order as settings.MIDDLEWARE, minus what a signed provider delivery never uses.
WEBHOOK_MIDDLEWARE = (
    "django.middleware.security.SecurityMiddleware",
    "sorum_archive.security.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sorum_archive.security.middleware.DatabaseUnavailableMiddleware",
)


class WebhookHandler(WSGIHandler):
    """Django's WSGI handler with WEBHOOK_MIDDLEWARE instead of settings.MIDDLEWARE (sync only)."""

    def load_middleware(self, is_async: bool = False) -> None:
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        handler = convert_exception_to_response(self._get_response)
        for path in reversed(WEBHOOK_MIDDLEWARE):
            middleware = import_string(path)(handler)
            if hasattr(middleware, "process_view"):
                self._view_middleware.insert(0, middleware.process_view)
            if hasattr(middleware, "process_template_response"):
                self._template_response_middleware.append(middleware.process_template_response)
            if hasattr(middleware, "process_exception"):
                self._exception_middleware.append(middleware.process_exception)
            handler = convert_exception_to_response(middleware)
        self._middleware_chain = handler


WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


def webhook_dispatcher(*, full: WSGIApp, webhook: WSGIApp) -> WSGIApp:
    """One WSGI application: webhook paths to the slim handler, everything else to the full one."""

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        if WEBHOOK_PATH.match(environ.get("PATH_INFO", "")):
            return webhook(environ, start_response)
        return full(environ, start_response)

    return application
