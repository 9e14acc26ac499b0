"""Which database a read-only query goes to, and read-your-writes for the browser that just wrote."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse

REPLICA_ALIAS = "replica"
# Set on a response to a signed-in user's write; while it lives, that browser's lists read the primary.
PIN_COOKIE = "sorum_read_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_pinned_to_primary: ContextVar[bool] = ContextVar("sorum_pinned_to_primary", default=False)
# monotonic() until which this process reads the primary because the replica did not answer.
_replica_down_until = 0.0

logger = logging.getLogger(__name__)


def replica_configured() -> bool:
    return REPLICA_ALIAS in settings.DATABASES


def read_alias() -> str:
    """``"replica"`` when DATABASE_REPLICA_URL configured one, else ``"default"``.

    Only list pages that tolerate a replica a moment behind use it, through an explicit
    ``.using(read_alias())``. A global router would also send the page shown right after a decision to a
    replica that may not have the decision yet; services, detail pages and anything read before a write
    stay on the primary. A browser that wrote within SORUM_REPLICA_PIN_SECONDS reads the primary too
    (ReadYourWritesMiddleware), so the list it is redirected to after a bulk decision shows the decision.
    A replica that does not answer is skipped: lists read the primary for SORUM_REPLICA_RETRY_SECONDS.
    """
    if not replica_configured() or _pinned_to_primary.get():
        return "default"
    return REPLICA_ALIAS if _replica_answers() else "default"


def _replica_answers() -> bool:
    """Connect to the replica (or health-check the open connection once per request); False if it is down."""
    global _replica_down_until
    if time.monotonic() < _replica_down_until:
        return False
    connection = connections[REPLICA_ALIAS]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as exc:
        with contextlib.suppress(DatabaseError):
            connection.close()
        _replica_down_until = time.monotonic() + settings.SORUM_REPLICA_RETRY_SECONDS
        logger.warning(
            "db.replica_unavailable",
            extra={"error": exc.__class__.__name__, "retry_seconds": settings.SORUM_REPLICA_RETRY_SECONDS},
        )
        return False
    return True


class ReadYourWritesMiddleware:
    """Pins a signed-in user's reads to the primary for a few seconds after each of their writes.

    Needs request.user (after AuthenticationMiddleware). Does nothing without a replica. API clients that
    authenticate by token get no cookie: a client that must read its own write asks the detail endpoint.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        token = _pinned_to_primary.set(PIN_COOKIE in request.COOKIES)
        try:
            response = self.get_response(request)
        finally:
            _pinned_to_primary.reset(token)
        user = getattr(request, "user", None)
        if request.method not in SAFE_METHODS and user is not None and user.is_authenticated:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.SORUM_REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
