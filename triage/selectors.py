"""Shaped reads for the inbox."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from sorum_archive.roles import sees_all_sections

from .models import Message, Section


def sections_for_user(*, user: AbstractBaseUser) -> QuerySet[Section]:
    if sees_all_sections(user):
        return Section.objects.all()
    return Section.objects.filter(members=user)


def inbox_list_for_user(*, user: AbstractBaseUser) -> QuerySet[Message]:
    """Messages the user may see: their sections' (all, for archivists and admins), newest first."""
    queryset = Message.objects.select_related("channel", "section", "journal_entry", "journal_entry__case")
    if not sees_all_sections(user):
        queryset = queryset.filter(section__members=user)
    return queryset.order_by("-received_at", "-id")


def message_get_for_user(*, user: AbstractBaseUser, pk: int) -> Message:
    return inbox_list_for_user(user=user).select_related("conversation").get(pk=pk)
