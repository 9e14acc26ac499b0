"""Every write on channel alerts: the beat task's health check opens, keeps and clears them, and mails
the admins once per alert (Django's e-mail backend).

A channel is flagged when
- it normally receives (at least SORUM_CHANNEL_SILENCE_MIN_DELIVERIES accepted deliveries in 30 days) and
  has had none for longer than SORUM_CHANNEL_SILENCE_FACTOR x its median gap, and never less than
  SORUM_CHANNEL_SILENCE_MIN_SECONDS (channel option `silence_min_hours` overrides the minimum): a token
  that expired or a webhook subscription that the provider dropped looks exactly like this;
- its refused deliveries spike: at least SORUM_CHANNEL_REJECTION_SPIKE in the last
  SORUM_CHANNEL_REJECTION_WINDOW seconds, at least as many as it accepted, and none accepted since the
  last refusal (a secret changed at the provider);
- its polling has failed SORUM_CHANNEL_POLL_FAILURES_ALERT times in a row.
An alert is cleared as soon as its condition no longer holds; the admins get one mail when it opens and
one when it clears.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sorum_archive.roles import ADMIN

from .backfill.base import BACKFILL_HEADER
from .models import Channel, ChannelAlert, ChannelAlertKind, InboundEvent, InboundEventStatus
from .selectors import ChannelHealthState, channels_health_list

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlertCheck:
    opened: tuple[ChannelAlert, ...]
    cleared: tuple[ChannelAlert, ...]
    still_open: int
    mailed: bool


def _silence_threshold(state: ChannelHealthState) -> timedelta | None:
    """How long the channel may be quiet, or None when it has no rhythm to learn from yet."""
    if state.median_gap is None or state.rhythm_deliveries < settings.SORUM_CHANNEL_SILENCE_MIN_DELIVERIES:
        return None
    minimum = timedelta(seconds=settings.SORUM_CHANNEL_SILENCE_MIN_SECONDS)
    hours = state.channel.options.get("silence_min_hours")
    if isinstance(hours, (int, float)) and not isinstance(hours, bool) and hours > 0:
        minimum = timedelta(hours=hours)
    return max(state.median_gap * settings.SORUM_CHANNEL_SILENCE_FACTOR, minimum)


def _rejection_spike(channel: Channel, now: datetime) -> str:
    since = now - timedelta(seconds=settings.SORUM_CHANNEL_REJECTION_WINDOW)
    recent = InboundEvent.objects.filter(channel=channel, received_at__gte=since, received_at__lte=now)
    rejected = recent.filter(status=InboundEventStatus.REJECTED)
    count = rejected.count()
    if count < settings.SORUM_CHANNEL_REJECTION_SPIKE:
        return ""
    accepted = recent.exclude(status=InboundEventStatus.REJECTED).exclude(headers__has_key=BACKFILL_HEADER)
    last_rejected = rejected.order_by("-received_at", "-id").values("received_at", "error").first()
    if accepted.count() > count or accepted.filter(received_at__gt=last_rejected["received_at"]).exists():
        return ""  # deliveries are verified again: the spike is over
    minutes = settings.SORUM_CHANNEL_REJECTION_WINDOW // 60
    return f"{count} deliveries refused in {minutes} min; last reason: {last_rejected['error'][:300]}"


def channel_alert_findings(*, state: ChannelHealthState) -> dict[str, str]:
    """What is wrong with one channel now: alert kind -> detail (English, like stored errors)."""
    findings: dict[str, str] = {}
    threshold = _silence_threshold(state)
    silent_for = state.silent_for
    if threshold is not None and silent_for is not None and silent_for > threshold:
        findings[ChannelAlertKind.SILENCE] = (
            f"no delivery for {_hours(silent_for)} (usual gap {_hours(state.median_gap)}, "
            f"flagged after {_hours(threshold)}); last delivery "
            f"{state.last_accepted_at.isoformat(timespec='minutes')}"
        )
    spike = _rejection_spike(state.channel, state.now)
    if spike:
        findings[ChannelAlertKind.REJECTIONS] = spike
    if state.polled and state.poll_failures >= settings.SORUM_CHANNEL_POLL_FAILURES_ALERT:
        findings[ChannelAlertKind.POLL_FAILING] = (
            f"{state.poll_failures} polls failed in a row: {state.poll_error[:300]}"
        )
    return findings


def _hours(value: timedelta | None) -> str:
    if value is None:
        return "-"
    return f"{value.total_seconds() / 3600:.1f} h"


def _channel_check(
    *, channel: Channel, state: ChannelHealthState | None, now: datetime
) -> tuple[list[ChannelAlert], list[ChannelAlert]]:
    findings = channel_alert_findings(state=state) if state is not None and channel.enabled else {}
    opened, cleared = [], []
    with transaction.atomic():
        current = {
            alert.kind: alert
            for alert in ChannelAlert.objects.select_for_update().filter(
                channel=channel, cleared_at__isnull=True
            )
        }
        for kind, detail in findings.items():
            alert = current.get(kind)
            if alert is not None:
                alert.detail = detail
                alert.last_checked_at = now
                alert.save(update_fields=["detail", "last_checked_at"])
                continue
            try:
                with transaction.atomic():
                    alert = ChannelAlert.objects.create(
                        channel=channel, kind=kind, detail=detail, opened_at=now, last_checked_at=now
                    )
            except IntegrityError:
                continue  # a concurrent check opened it first
            opened.append(alert)
            logger.warning("channels.alert.opened", extra={"channel": channel.slug, "kind": kind})
        for kind, alert in current.items():
            if kind in findings:
                continue
            alert.cleared_at = now
            alert.last_checked_at = now
            alert.save(update_fields=["cleared_at", "last_checked_at"])
            cleared.append(alert)
            logger.info("channels.alert.cleared", extra={"channel": channel.slug, "kind": kind})
    return opened, cleared


def alert_recipients() -> list[str]:
    """settings.ADMINS, active superusers and members of the admin role, each with an e-mail address."""
    addresses = [address for _name, address in getattr(settings, "ADMINS", [])]
    users = get_user_model().objects.filter(is_active=True)
    users = users.filter(Q(is_superuser=True) | Q(groups__name=ADMIN))
    addresses += list(users.exclude(email="").values_list("email", flat=True))
    return sorted(dict.fromkeys(a.strip() for a in addresses if a and a.strip()))


def _when(value: datetime) -> str:
    return date_format(timezone.localtime(value), "j. F Y H:i")


def _alerts_mail(*, new: list[ChannelAlert], recovered: list[ChannelAlert], recipients: list[str]) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        lines = []
        if new:
            lines.append(_("Channels that need attention:"))
            lines += [
                f"- {a.channel.name} ({a.channel.slug}): {a.get_kind_display()} {_('since')} "
                f"{_when(a.opened_at)}. {a.detail}"
                for a in new
            ]
        if recovered:
            lines.append(_("Channels that recovered:"))
            lines += [
                f"- {a.channel.name} ({a.channel.slug}): {a.get_kind_display()} {_('cleared')} "
                f"{_when(a.cleared_at)}"
                for a in recovered
            ]
        page = f"{settings.SITE_URL.rstrip('/')}/admin/channels/channel/health/"
        lines += ["", _("Health page: %(url)s") % {"url": page}]
        subject = (
            _("Channel alert: %(channels)s") % {"channels": ", ".join(sorted({a.channel.name for a in new}))}
            if new
            else _("Channel recovered: %(channels)s")
            % {"channels": ", ".join(sorted({a.channel.name for a in recovered}))}
        )
    send_mail(
        f"{settings.EMAIL_SUBJECT_PREFIX}{subject}",
        "\n".join(lines),
        settings.SERVER_EMAIL,
        recipients,
        fail_silently=False,
    )


def channel_alerts_check(*, now: datetime | None = None) -> AlertCheck:
    """Open, keep or clear every channel's alerts, then mail the admins what is new or recovered.

    An alert is mailed once: `notified_at` is set when the mail was handed to the e-mail backend; a mail
    that fails is tried again by the next check. A recovery is mailed only for an alert that was mailed.
    """
    now = now or timezone.now()
    opened: list[ChannelAlert] = []
    cleared: list[ChannelAlert] = []
    channels = list(
        Channel.objects.filter(Q(enabled=True) | Q(alerts__cleared_at__isnull=True)).distinct().order_by("pk")
    )
    states = {
        state.channel.pk: state
        for state in channels_health_list(channels=[c for c in channels if c.enabled], now=now)
    }
    for channel in channels:
        new, gone = _channel_check(channel=channel, state=states.get(channel.pk), now=now)
        opened += new
        cleared += gone
    unmailed = list(
        ChannelAlert.objects.filter(cleared_at__isnull=True, notified_at__isnull=True)
        .select_related("channel")
        .order_by("pk")
    )
    recovered = [alert for alert in cleared if alert.notified_at is not None]
    mailed = False
    if unmailed or recovered:
        recipients = alert_recipients()
        if not recipients:
            logger.warning("channels.alert.no_recipients", extra={"alerts": len(unmailed)})
        else:
            try:
                _alerts_mail(new=unmailed, recovered=recovered, recipients=recipients)
            except Exception:  # the mail server's trouble: the next check tries again
                logger.exception("channels.alert.mail_failed")
            else:
                mailed = True
                ChannelAlert.objects.filter(pk__in=[a.pk for a in unmailed]).update(notified_at=now)
    still_open = ChannelAlert.objects.filter(cleared_at__isnull=True).count()
    return AlertCheck(opened=tuple(opened), cleared=tuple(cleared), still_open=still_open, mailed=mailed)
