"""Build the ``WorkCalendar`` value for an agency from the database (cached in-process).

The cache is keyed by agency and checked against a cheap fingerprint of the calendar tables (row count
and highest id of exceptions, office hours and working weeks), so an administrator's change is seen by
every worker on its next computation without a restart."""

from __future__ import annotations

import datetime as dt
import threading

from django.db.models import Count, Max, Q

from motcua.agencies.models import Agency, OfficeHours
from motcua.calendar.deadlines import DEFAULT_SESSIONS, Session, WorkCalendar
from motcua.calendar.models import CalendarException, ExceptionKind, Scope, WorkingWeek
from motcua.calendar.sources import official_data

_lock = threading.Lock()
_cache: dict[int | None, tuple[tuple[object, ...], WorkCalendar]] = {}
_FINGERPRINT_TTL = dt.timedelta(seconds=5)
_fingerprint: tuple[dt.datetime, tuple[object, ...]] | None = None


def work_calendar_invalidate() -> None:
    global _fingerprint
    with _lock:
        _cache.clear()
        _fingerprint = None


def _current_fingerprint() -> tuple[object, ...]:
    global _fingerprint
    now = dt.datetime.now(dt.UTC)
    if _fingerprint is not None and now - _fingerprint[0] < _FINGERPRINT_TTL:
        return _fingerprint[1]
    parts: list[object] = []
    for model in (CalendarException, OfficeHours, WorkingWeek):
        agg = model.objects.aggregate(n=Count("pk"), m=Max("pk"))
        parts += [agg["n"], agg["m"]]
    parts.append(CalendarException.objects.filter(confirmed=True).count())
    fingerprint = tuple(parts)
    _fingerprint = (now, fingerprint)
    return fingerprint


def _default_sessions() -> tuple[Session, ...]:
    try:
        raw = official_data()["office_hours"]["sessions"]
        return tuple((dt.time.fromisoformat(a), dt.time.fromisoformat(b)) for a, b in raw)
    except (KeyError, ValueError):
        return DEFAULT_SESSIONS


def _ancestors(agency: Agency | None) -> list[Agency]:
    chain = []
    current = agency
    while current is not None:
        chain.append(current)
        current = current.parent
    return chain


def work_calendar_for(*, agency: Agency | None = None) -> WorkCalendar:
    """National days + the agency's province-scope and centre-scope days + its office hours."""
    fingerprint = _current_fingerprint()
    key = agency.pk if agency is not None else None
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == fingerprint:
            return hit[1]
    calendar = _build(agency)
    with _lock:
        _cache[key] = (fingerprint, calendar)
    return calendar


def _build(agency: Agency | None) -> WorkCalendar:
    chain = _ancestors(agency)
    chain_ids = [a.pk for a in chain]
    scope_filter = Q(scope=Scope.NATIONAL) | Q(agency_id__in=chain_ids)
    rows = CalendarException.objects.filter(scope_filter, confirmed=True).values_list("date", "kind", "scope")
    # A local row overrides a national one for the same date (e.g. a centre closed for relocation).
    by_date: dict[dt.date, tuple[str, str]] = {}
    for day, kind, scope in rows:
        if day not in by_date or scope != Scope.NATIONAL:
            by_date[day] = (kind, scope)
    days_off = frozenset(d for d, (kind, _) in by_date.items() if kind != ExceptionKind.SWAP_WORK)
    extra = frozenset(d for d, (kind, _) in by_date.items() if kind == ExceptionKind.SWAP_WORK)
    week = (
        WorkingWeek.objects.filter(Q(scope=Scope.NATIONAL) | Q(agency_id__in=chain_ids))
        .order_by("-valid_from")
        .first()
    )
    weekdays = week.weekdays if week is not None else frozenset({0, 1, 2, 3, 4})
    sessions: dict[int, list[Session]] = {}
    # The nearest agency in the chain that has office hours defines them (a centre, else its parent).
    for link in chain:
        hours = list(OfficeHours.objects.filter(agency=link).order_by("weekday", "opens_at"))
        if hours:
            for h in hours:
                sessions.setdefault(h.weekday, []).append((h.opens_at, h.closes_at))
            break
    # A centre open on Saturday morning does not make Saturday a legal working day for deadlines;
    # only the working week and make-up days do.
    by_weekday = {wd: tuple(s) for wd, s in sessions.items()}
    return WorkCalendar(
        working_weekdays=weekdays,
        days_off=days_off,
        extra_working_days=extra,
        sessions_by_weekday=by_weekday,
        default_sessions=_default_sessions(),
    )
