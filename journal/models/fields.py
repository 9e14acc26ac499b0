"""Field factories shared by the archive models."""

from django.conf import settings
from django.db import models


def optional_user_fk(verbose_name: str) -> models.ForeignKey:
    """Who did something to an archival entity (opprettetAv, avsluttetAv, ...): kept even if the user goes."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )


class GuardedQuerySet(models.QuerySet):
    """QuerySet.update() refuses to change archived rows (journal/immutability.py)."""

    def update(self, **kwargs):
        from journal.immutability import guard_update

        guard_update(self, set(kwargs))
        return super().update(**kwargs)
