"""Reads for the citizen portal's overview blocks (counts per field and level, popular procedures).

Only published versions in force are counted, through the catalogue's own ``effective_on`` queryset, so
a draft or an expired version never shows up on a public page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, Q, Value, When

from motcua.catalog.models import AdministrativeLevel, OnlineLevel, ProcedureVersion
from motcua.core import clock

# Levels a citizen can still apply at after the 2025 reform (districts were abolished on 01/07/2025).
PUBLIC_LEVELS = (AdministrativeLevel.PROVINCE, AdministrativeLevel.COMMUNE)
POPULAR_WINDOW_DAYS = 365


@dataclass(frozen=True)
class FieldCount:
    code: str
    name: str
    sector: str
    count: int


@dataclass(frozen=True)
class ChoiceCount:
    value: str
    label: str
    count: int


def field_list_with_counts(*, level: str | None = None, on: dt.date | None = None) -> list[FieldCount]:
    """Fields that have at least one procedure in force, with how many, ordered by sector then name."""
    qs = ProcedureVersion.objects.effective_on(on or clock.local_today())
    if level:
        qs = qs.filter(level=level)
    rows = (
        qs.values("field__code", "field__name", "field__sector")
        .annotate(n=Count("pk"))
        .order_by("field__sector", "field__name")
    )
    return [
        FieldCount(code=r["field__code"], name=r["field__name"], sector=r["field__sector"], count=r["n"])
        for r in rows
    ]


def level_list_with_counts(*, on: dt.date | None = None) -> list[ChoiceCount]:
    """The levels citizens apply at, with the number of procedures in force at each (zero included)."""
    rows = (
        ProcedureVersion.objects.effective_on(on or clock.local_today())
        .values("level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {r["level"]: r["n"] for r in rows}
    return [
        ChoiceCount(value=lv.value, label=str(lv.label), count=counts.get(lv.value, 0))
        for lv in PUBLIC_LEVELS
    ]


def online_level_list_with_counts(*, on: dt.date | None = None) -> list[ChoiceCount]:
    rows = (
        ProcedureVersion.objects.effective_on(on or clock.local_today())
        .values("online_level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {r["online_level"]: r["n"] for r in rows}
    return [
        ChoiceCount(value=ol.value, label=str(ol.label), count=counts.get(ol.value, 0)) for ol in OnlineLevel
    ]


def procedure_version_popular(*, limit: int = 6, on: dt.date | None = None) -> list[ProcedureVersion]:
    """Procedures most applied for over the last year; ties (and a fresh install) favour full online service.

    Counts come from the reverse ``dossiers`` relation, so the portal does not read dossier rows."""
    day = on or clock.local_today()
    since = clock.now() - dt.timedelta(days=POPULAR_WINDOW_DAYS)
    qs = (
        ProcedureVersion.objects.effective_on(day)
        .select_related("procedure", "field")
        .annotate(
            recent=Count("dossiers", filter=Q(dossiers__created_at__gte=since)),
            not_full=Case(When(online_level=OnlineLevel.FULL, then=Value(0)), default=Value(1)),
        )
        .order_by("-recent", "not_full", "name", "pk")
    )
    return list(qs[:limit])
