"""The three staff roles and what each may see. Groups are created by triage migration 0002."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

CASEWORKER = "saksbehandler"
ARCHIVIST = "arkivar"
ADMIN = "admin"

CASEWORKER_PERMISSIONS = [
    "triage.view_message",
    "triage.triage_message",
    "triage.view_conversation",
    "triage.view_triagedecision",
    "triage.view_section",
    "journal.view_case",
    "journal.add_case",
    "journal.view_journalentry",
]
ARCHIVIST_PERMISSIONS = CASEWORKER_PERMISSIONS + [
    "triage.view_all_sections",
    "journal.change_case",
    "journal.change_journalentry",
    "journal.review_journalentry",
    "journal.export_archive",
    "channels.view_inboundevent",
]
ADMIN_PERMISSIONS = ARCHIVIST_PERMISSIONS + [
    "channels.view_channel",
    "channels.add_channel",
    "channels.change_channel",
    "channels.delete_channel",
    "channels.change_inboundevent",
    "triage.add_section",
    "triage.change_section",
    "triage.delete_section",
    "triage.view_routingrule",
    "triage.add_routingrule",
    "triage.change_routingrule",
    "triage.delete_routingrule",
    "auth.view_user",
    "auth.add_user",
    "auth.change_user",
    "auth.view_group",
    "sorum_archive.view_auditevent",
    "triage.view_retentiontally",
    "triage.view_retentionpolicy",
    "triage.add_retentionpolicy",
    "triage.change_retentionpolicy",
]
ROLE_PERMISSIONS = {
    CASEWORKER: CASEWORKER_PERMISSIONS,
    ARCHIVIST: ARCHIVIST_PERMISSIONS,
    ADMIN: ADMIN_PERMISSIONS,
}


def is_archivist(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_authenticated and user.has_perm("journal.review_journalentry")


def sees_all_sections(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_authenticated and user.has_perm("triage.view_all_sections")


def role_groups_ensure(group_model=None, permission_model=None) -> None:
    """Create the role groups with their permissions (idempotent; used by the data migration and seeding)."""
    if group_model is None or permission_model is None:
        from django.contrib.auth.models import Group, Permission

        group_model, permission_model = Group, Permission
    for name, codes in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        wanted = []
        for code in codes:
            app_label, codename = code.split(".")
            wanted.append(permission_model.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.add(*wanted)


def is_admin(user: AbstractBaseUser | AnonymousUser) -> bool:
    """A superuser, or staff with the admin role's channel rights (who can open the channel health page)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or (user.is_staff and user.has_perm("channels.view_channel"))


def landing_url(user: AbstractBaseUser | AnonymousUser) -> str:
    """Where a role's work is, after login without ``next``: channel health, review queue or the inbox."""
    from django.urls import reverse

    if is_admin(user):
        return reverse("admin:channels_channel_health")
    if is_archivist(user):
        return reverse("journal:review_queue")
    return reverse("triage:inbox")
