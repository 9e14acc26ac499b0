"""The archive structure a case is filed in: the active series and the class of a section."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import Archive, ClassificationSystem, ClassificationType, Klass, Series, SeriesStatus

if TYPE_CHECKING:
    from triage.models import Section


def archive_default_get_or_create() -> Archive:
    archive = Archive.objects.order_by("created_at", "pk").first()
    if archive is None:
        name = settings.SORUM_ARCHIVE_NAME
        archive = Archive.objects.create(title=name, creator_name=name)
    return archive


def series_active_get_or_create(*, year: int | None = None) -> Series:
    """The open series (arkivdel) of the year's period; a new one continues the previous key if missing."""
    year = year or timezone.localdate().year
    open_series = Series.objects.filter(period_start__year=year).exclude(status=SeriesStatus.AVSLUTTET)
    series = open_series.order_by("-period_start").first()
    if series is not None:
        return series
    with transaction.atomic():
        latest = Series.objects.select_for_update().order_by("-period_start", "-pk").first()
        if (
            latest is not None
            and latest.period_start.year == year
            and latest.status != SeriesStatus.AVSLUTTET
        ):
            return latest
        system = latest.classification_system if latest is not None else None
        if system is None:
            system = ClassificationSystem.objects.create(
                classification_type=ClassificationType.FUNKSJONSBASERT,
                title=f"Arkivnøkkel {settings.SORUM_ARCHIVE_NAME}",
            )
        # The unique predecessor link makes a concurrent second creation fail instead of forking the chain.
        chain = latest is not None and not Series.objects.filter(predecessor=latest).exists()
        return Series.objects.create(
            archive=archive_default_get_or_create(),
            classification_system=system,
            title=f"Sakarkiv {year}",
            status=SeriesStatus.AKTIV,
            period_start=datetime.date(year, 1, 1),
            predecessor=latest if chain else None,
        )


def klass_for_section(*, section: Section, series: Series) -> Klass:
    """The class (klasse) of a section in the series' classification system; created on first use."""
    system = series.classification_system
    klass = Klass.objects.filter(classification_system=system, section=section).first()
    if klass is not None:
        return klass
    try:
        with transaction.atomic():
            return Klass.objects.create(
                classification_system=system, class_id=section.code, title=section.name, section=section
            )
    except IntegrityError:
        return Klass.objects.get(classification_system=system, class_id=section.code)
