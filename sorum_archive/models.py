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
    ANCHORED = "anchored", _("anchored")


GENESIS_HASH = "0" * 64


class HashChainedModel(models.Model):
    """An append-only row that is a link of a hash chain: chain_hash = sha256(chain_prev + canonical row).

    CHAIN_FIELDS names the fields the canonical form covers (never a foreign key that SET_NULL may change).
    The hash is computed in one place, on insert (sorum_archive.chain.chain_append); `audit_verify` walks
    the chain and names the first row whose content or link no longer matches.
    """

    CHAIN_FIELDS: tuple[str, ...] = ()

    chain_prev = models.CharField(_("previous hash"), max_length=64, blank=True, editable=False)
    chain_hash = models.CharField(_("hash"), max_length=64, blank=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self._state.adding and not self.chain_hash:
            from .chain import chain_append

            chain_append(self, lambda: super(HashChainedModel, self).save(*args, **kwargs))
            return
        super().save(*args, **kwargs)


class ChainHead(models.Model):
    """The newest link of one hash chain (audit trail or endringslogg), and its last verification."""

    name = models.CharField(_("chain"), max_length=100, primary_key=True)
    head_hash = models.CharField(_("head hash"), max_length=64, default=GENESIS_HASH)
    length = models.PositiveBigIntegerField(_("rows"), default=0)
    last_id = models.BigIntegerField(_("last row id"), null=True, blank=True)
    verified_at = models.DateTimeField(_("last verified at"), null=True, blank=True)
    verified_ok = models.BooleanField(_("intact at last verification"), null=True, blank=True)
    verified_rows = models.PositiveBigIntegerField(_("rows verified"), default=0)
    broken_id = models.BigIntegerField(_("first broken row"), null=True, blank=True)
    broken_reason = models.CharField(_("why broken"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("hash chain head")
        verbose_name_plural = _("hash chain heads")

    def __str__(self) -> str:
        return f"{self.name} @ {self.length}: {self.head_hash[:12]}"


class AuditEvent(HashChainedModel):
    """One access to or change of personal data (tilgangslogg): who did what to which object, when."""

    # `actor` is left out: deleting a user sets it to NULL; `actor_username` keeps who it was.
    CHAIN_FIELDS = (
        "at",
        "actor_username",
        "action",
        "object_type",
        "object_id",
        "summary",
        "remote_addr",
        "extra",
    )

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
