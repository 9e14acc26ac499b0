from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    VIEWED = "viewed", _("viewed")
    DECIDED = "decided", _("decided")
    CHANGED = "changed", _("changed")
    EXPORTED = "exported", _("exported")
    ERASED = "erased", _("erased")
    DELETED = "deleted", _("deleted")


class AuditEvent(models.Model):
    """One access to or change of personal data (tilgangslogg): who did what to which object, when."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept as text so the trail survives the user's deletion; empty for the system (beat tasks).
    actor_username = models.CharField(_("actor username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=100, blank=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    remote_addr = models.CharField(_("remote address"), max_length=64, blank=True)
    extra = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="auditevent_object_idx")]

    def __str__(self) -> str:
        who = self.actor_username or "system"
        return f"{who} {self.action} {self.object_type}#{self.object_id}"
