"""One error shape for the API: {"error": {"code": "<stable code>", "message": "...", "detail": ...}}."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from rest_framework import exceptions, permissions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class ErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_AUTHENTICATED = "not_authenticated"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    THROTTLED = "throttled"
    CONFLICT = "conflict"
    ERROR = "error"


_CODES = {
    exceptions.ValidationError: ErrorCode.INVALID,
    exceptions.ParseError: ErrorCode.INVALID,
    exceptions.NotAuthenticated: ErrorCode.NOT_AUTHENTICATED,
    exceptions.AuthenticationFailed: ErrorCode.NOT_AUTHENTICATED,
    exceptions.PermissionDenied: ErrorCode.PERMISSION_DENIED,
    exceptions.NotFound: ErrorCode.NOT_FOUND,
    exceptions.MethodNotAllowed: ErrorCode.METHOD_NOT_ALLOWED,
    exceptions.Throttled: ErrorCode.THROTTLED,
}


class ApiConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = next((c for cls, c in _CODES.items() if isinstance(exc, cls)), None)
    if isinstance(exc, ApiConflict):
        code = ErrorCode.CONFLICT
    code = code or ErrorCode.ERROR
    detail = response.data
    message = detail.get("detail") if isinstance(detail, dict) and "detail" in detail else str(exc)
    response.data = {"error": {"code": str(code), "message": str(message), "detail": detail}}
    return response


class HasStaffRole(permissions.BasePermission):
    """Signed in and holding a staff role (every role can read the inbox): for the API schema and docs.

    A signed-in account without a role (a fresh user, a disabled employee's account stripped of its groups)
    is refused like anyone else.
    """

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("triage.view_message"))
