"""Reads for the citizen portal: overview blocks (counts per field and level, popular procedures), the
service centre's contact details and the privacy notice's legal facts.

Only published versions in force are counted, through the catalogue's own ``effective_on`` queryset, so
a draft or an expired version never shows up on a public page.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Count, Q, Value, When

from motcua.accounts.models import AccountKind, Role, User
from motcua.agencies.models import Agency, AgencyLevel, OfficeHours
from motcua.catalog.models import AdministrativeLevel, OnlineLevel, ProcedureVersion
from motcua.core import clock
from motcua.core.errors import NotFoundError

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


@dataclass(frozen=True)
class SiteContact:
    """Who runs the portal and where to go: the province's public administration service centre and its
    governing body, from the agency data (one source for the footer, procedure pages and the notice)."""

    centre: Agency
    governing_body: Agency | None
    hours: list[tuple[str, str]]  # ("Thứ Hai – Thứ Sáu", "07:30–11:30, 13:30–17:00")


def site_contact(*, on: dt.date | None = None) -> SiteContact | None:
    """The provincial service centre in force (lowest code first), or None on an empty database."""
    centre = (
        Agency.objects.valid_on(on or clock.local_today())
        .filter(is_service_centre=True, parent__level=AgencyLevel.PROVINCE)
        .select_related("parent")
        .prefetch_related("office_hours")
        .order_by("code")
        .first()
    )
    if centre is None:
        return None
    return SiteContact(centre=centre, governing_body=centre.parent, hours=office_hours_lines(centre))


def office_hours_lines(agency: Agency) -> list[tuple[str, str]]:
    """Opening sessions grouped into runs of weekdays with the same hours: Monday–Friday, then Saturday."""
    by_day: dict[int, list[str]] = defaultdict(list)
    for session in agency.office_hours.all():
        by_day[session.weekday].append(f"{session.opens_at:%H:%M}–{session.closes_at:%H:%M}")
    names = dict(OfficeHours._meta.get_field("weekday").choices or [])
    runs: list[tuple[list[int], str]] = []
    for day in sorted(by_day):
        sessions = ", ".join(by_day[day])
        if runs and runs[-1][1] == sessions and runs[-1][0][-1] == day - 1:
            runs[-1][0].append(day)
        else:
            runs.append(([day], sessions))
    lines = []
    for days, sessions in runs:
        first, last = str(names[days[0]]), str(names[days[-1]])
        lines.append((first if len(days) == 1 else f"{first} – {last}", sessions))
    return lines


PRIVACY_NOTICE_FILE = Path(__file__).parent / "data" / "privacy_notice.json"


def privacy_notice_rules(*, on: dt.date | None = None) -> dict[str, Any]:
    """The law-dependent facts of the privacy notice (legal bases, time limits for a data subject's
    requests, sensitive data), from ``portal/data/privacy_notice.json``: the edition in force on ``on``.

    They are data, with their effective dates and sources, so that an amendment changes a file and not a
    template."""
    day = on or clock.local_today()
    editions = json.loads(PRIVACY_NOTICE_FILE.read_text(encoding="utf-8"))["editions"]
    in_force = [e for e in editions if dt.date.fromisoformat(e["effective_from"]) <= day]
    if not in_force:
        raise NotFoundError(
            "Chưa có chính sách bảo vệ dữ liệu cá nhân có hiệu lực / No privacy notice in force.",
            {"on": day.isoformat()},
        )
    edition: dict[str, Any] = max(in_force, key=lambda e: e["effective_from"])
    return edition


def procedure_counter_intake_allowed(*, user: User | AnonymousUser, version: ProcedureVersion) -> bool:
    """May ``user`` receive this procedure at a counter? Only a one-stop clerk at (or above) one of the
    agencies that receive it: the same test ``dossier_receive_at_counter`` applies (``user_roles_at``)."""
    from motcua.accounts.selectors import user_roles_at

    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", "") != AccountKind.STAFF:
        return False
    receiving = list(version.receiving_agencies.all()) or [version.competent_agency]
    return any(Role.ONE_STOP_CLERK in user_roles_at(user=user, agency=agency) for agency in receiving)
