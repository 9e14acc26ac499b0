from __future__ import annotations

from django import template

from journal.models import Case

from ..selectors import fiks_dispatch_list_for_case

register = template.Library()


@register.inclusion_tag("fiks/_case_dispatches.html", takes_context=True)
def fiks_case_dispatches(context, case: Case) -> dict:
    """The case's entries as the sak- og arkivsystem knows them (only where Fiks Arkiv is in use)."""
    return {
        "dispatches": list(fiks_dispatch_list_for_case(case=case)),
        "perms": context.get("perms"),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
