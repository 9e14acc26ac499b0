"""OpenAPI post-processing: every operation documents the one error shape of sorum_archive.api."""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {
                    "type": "string",
                    "description": "Stable error code (sorum_archive.api.ErrorCode).",
                },
                "message": {"type": "string"},
                "detail": {},
            },
        }
    },
}

# Answers any operation may give, whatever its view declares.
ERROR_RESPONSES = {
    "400": "Invalid input.",
    "401": "Not authenticated.",
    "403": "Not authenticated, or not allowed.",
    "404": "Not found, or not visible to this user.",
    "405": "Method not allowed.",
    "409": "Conflicts with the current state.",
    "415": "Unsupported media type.",
    "429": "Too many requests.",
    "503": "The database is unavailable; retry later.",
}


def add_error_responses(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, description in ERROR_RESPONSES.items():
                operation["responses"].setdefault(status, {"description": description, "content": reference})
            _integer_path_parameters_are_unsigned(operation)
    return result


def _integer_path_parameters_are_unsigned(operation: dict[str, Any]) -> None:
    """Django's <int:…> converter matches digits only: a negative id never reaches the API (the URL does not
    resolve), so the schema says so instead of promising the API's JSON error for it."""
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        if parameter.get("in") == "path" and schema.get("type") == "integer":
            schema.setdefault("minimum", 0)
