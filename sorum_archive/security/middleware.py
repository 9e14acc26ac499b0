"""Small response-side protections that Django and django-csp do not cover."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response; Referrer-Policy and nosniff come from SecurityMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response


class DatabaseUnavailableMiddleware:
    """A lost database connection is a clean 503 with a JSON error, so a provider retries the delivery.

    Nothing is half-written: every write runs in a transaction that the lost connection rolls back.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error(
            "http.database_unavailable",
            extra={"path": request.path, "error_class": exception.__class__.__name__},
        )
        response = JsonResponse(
            {
                "error": {
                    "code": "service_unavailable",
                    "message": "The database is unavailable; retry later.",
                }
            },
            status=503,
        )
        response["Retry-After"] = "5"
        return response
