"""Dead-code check (vulture) over the application packages, run by `make test`.

Reports unused functions, methods, classes, properties, imports and unreachable code. Class-level
variables and attributes are not reported: Django, DRF and the admin read them by name (model and form
fields, admin options, serializer Meta), which vulture cannot see. Names the framework calls by
convention are ignored below; names used only from templates, settings strings or tests are listed in
.ci/vulture_whitelist.py, each with its reason. Exit status 1 with one line per finding.
"""

from __future__ import annotations

import sys
from pathlib import Path

import vulture

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["sorum_archive", "channels", "triage", "journal"]
WHITELIST = ROOT / ".ci" / "vulture_whitelist.py"
REPORTED = {"function", "method", "class", "property", "import", "unreachable_code"}

# Called by Django, DRF, Celery or the standard library by name, never from our code.
IGNORE_NAMES = [
    # management commands, app configs, migrations
    "Command", "add_arguments", "handle", "*Config", "ready", "Migration",
    # admin, forms, views, feeds, middleware
    "*Admin", "*Inline", "clean", "clean_*", "get_readonly_fields", "get_fieldsets", "get_form",
    "get_queryset", "get_object", "get_context_data", "form_valid", "has_*_permission", "save_model",
    "label_from_instance", "item_*", "items", "process_exception", "process_view", "process_request",
    "process_response", "*Middleware",
    # DRF and drf-spectacular: API views, serializers, permissions, SerializerMethodField getters
    "*Api", "*ViewSet", "*Serializer", "Input", "Output", "has_permission", "has_object_permission",
    "to_representation", "to_internal_value", "validate", "validate_*", "is_excluded", "allowed_methods",
    # model fields, logging filters, auth backends
    "from_db_value", "formfield", "deconstruct", "filter", "*Backend", "*Filter",
    # module-level __getattr__ (PEP 562), DRF SerializerMethodField getters
    "__getattr__", "get_decisions", "get_journal_entry",
]  # fmt: skip
IGNORE_DECORATORS = [
    "@admin.register", "@admin.action", "@admin.display", "@shared_task", "@register.*", "@receiver",
    "@action", "@app.task", "@*.connect", "@checks.register",
]  # fmt: skip


def findings(root: Path = ROOT, packages: list[str] = PACKAGES, whitelist: Path = WHITELIST) -> list[str]:
    scanner = vulture.Vulture(ignore_names=IGNORE_NAMES, ignore_decorators=IGNORE_DECORATORS)
    scanner.scavenge(
        [str(root / package) for package in packages] + [str(whitelist)], exclude=["*/migrations/*"]
    )
    return [
        f"{Path(item.filename).relative_to(root)}:{item.first_lineno}: unused {item.typ} {item.name!r}"
        for item in scanner.get_unused_code()
        if item.typ in REPORTED
    ]


def main() -> int:
    found = findings()
    for line in found:
        print(line)  # noqa: T201
    if found:
        hint = f"remove the code, or list it in .ci/{WHITELIST.name} with the reason"
        print(f"{len(found)} dead-code findings: {hint}")  # noqa: T201
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
