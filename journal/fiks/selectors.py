from __future__ import annotations

from django.db.models import QuerySet

from journal.models import Case

from .models import DispatchStatus, FiksDispatch


def fiks_dispatch_list(*, status: str = "") -> QuerySet[FiksDispatch]:
    dispatches = FiksDispatch.objects.select_related("entry", "entry__case")
    if status in DispatchStatus.values:
        dispatches = dispatches.filter(status=status)
    return dispatches.order_by("-created_at", "-id")


def fiks_dispatch_list_for_case(*, case: Case) -> QuerySet[FiksDispatch]:
    return (
        FiksDispatch.objects.filter(entry__case=case)
        .select_related("entry")
        .order_by("entry__number_in_case")
    )
