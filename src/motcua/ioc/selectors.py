"""Reads of the operations centre, scoped to the agencies where the reader monitors (the IOC viewer, a
leader, the administrator): the dashboard's counts from the fact rows, the dossiers behind each count (codes,
dates and why — never the applicant's personal data), and the public statistics."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection, Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from motcua.accounts.models import Role
from motcua.accounts.selectors import agency_ids_for_user, staff_roles_active
from motcua.agencies.models import Agency
from motcua.calendar.selectors import work_calendar_for
from motcua.catalog.models import Channel
from motcua.core import clock
from motcua.core.errors import NotFoundError, PermissionDeniedError
from motcua.ioc.index import Period, index_compute, index_month_kept, month_period, today_vn
from motcua.ioc.models import DossierFact
from motcua.ioc.ontime import VN, when

MONITORING_ROLES = (Role.IOC_VIEWER, Role.LEADER, Role.ADMINISTRATOR)
OPEN_CODES = (2, 4)


def monitor_scope(user: AbstractBaseUser | AnonymousUser) -> tuple[set[int], Agency | None]:
    """Agency ids the user monitors and the highest agency among them (None = the whole province)."""
    ids = agency_ids_for_user(user, MONITORING_ROLES)
    if not ids:
        raise PermissionDeniedError(_("Chỉ cán bộ theo dõi, lãnh đạo được xem trung tâm điều hành."))
    roots = [
        role.agency
        for role in staff_roles_active(user).filter(role__in=MONITORING_ROLES).order_by("agency__code")
    ]
    top = next((agency for agency in roots if agency.parent_id is None), roots[0] if roots else None)
    return ids, (None if top is None or top.parent_id is None else top)


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=VN)
    return start, start + dt.timedelta(days=1)


def due_window_end(now: dt.datetime) -> dt.datetime:
    """The close of the second working day after today: "due in the next 1–2 working days"."""
    calendar = work_calendar_for(agency=None)
    first = calendar.next_working_day(now.astimezone(VN).date())
    return calendar.closing(calendar.next_working_day(first))


# The named sets of dossiers the dashboard counts, each one click away (evidence).
def named_set(name: str, *, now: dt.datetime) -> tuple[Q, str]:
    today = today_vn(now)
    month = month_period(today)
    day_start, day_end = _day_bounds(today)
    finished_month = Q(finished_at__gte=month.start_at, finished_at__lt=month.end_at)
    still_open = Q(finished_at__isnull=True, national_status__in=OPEN_CODES)
    sets: dict[str, tuple[Q, str]] = {
        "received_today": (Q(received_at__gte=day_start, received_at__lt=day_end), _("Tiếp nhận hôm nay")),
        "received_month": (
            Q(received_at__gte=month.start_at, received_at__lt=month.end_at),
            _("Tiếp nhận trong tháng"),
        ),
        "finished_early": (finished_month & Q(verdict="early"), _("Đã giải quyết trước hạn (tháng)")),
        "finished_on_time": (finished_month & Q(verdict="on_time"), _("Đã giải quyết đúng hạn (tháng)")),
        "finished_late": (finished_month & Q(verdict="late"), _("Đã giải quyết quá hạn (tháng)")),
        "open_in_time": (still_open & Q(appointment_at__gte=now), _("Đang giải quyết trong hạn")),
        "open_late": (still_open & Q(appointment_at__lt=now), _("Đang giải quyết quá hạn")),
        "suspended": (
            Q(suspended=True, finished_at__isnull=True),
            _("Tạm dừng (bổ sung, nghĩa vụ tài chính, dừng)"),
        ),
        "due_soon": (
            still_open & Q(appointment_at__gte=now, appointment_at__lte=due_window_end(now)),
            _("Đến hạn trong 1–2 ngày làm việc tới"),
        ),
    }
    if name not in sets:
        raise NotFoundError(_("Không có nhóm hồ sơ này."))
    return sets[name]


def _counts(facts: QuerySet[DossierFact], now: dt.datetime, names: Iterable[str]) -> dict[str, int]:
    return facts.aggregate(**{name: Count("pk", filter=named_set(name, now=now)[0]) for name in names})


Figures = tuple[dict[str, int], dict[str, int], dict[str, int], list[dict[str, Any]]]


def _figures_from_daily(
    agency_ids: Collection[int] | None, facts: QuerySet[DossierFact], now: dt.datetime
) -> Figures:
    """Counts, receipts by channel and by level, and the ranking by late dossiers: this month's receipts
    and ends summed from the daily counters, the open dossiers counted on their fact rows."""
    from motcua.ioc.models import DailyCount

    today = today_vn(now)
    month = month_period(today)
    daily = DailyCount.objects.filter(day__gte=month.start, day__lte=month.end)
    if agency_ids is not None:
        daily = daily.filter(agency_id__in=agency_ids)
    # One grouped read of the month's counter rows and one of the open fact rows: every figure below is
    # summed from these in Python (the table holds ~100 agencies × 3 channels × 30 days rows a month).
    counts = dict.fromkeys(NAMES, 0)
    by_channel: dict[str, int] = {}
    by_level: dict[str, int] = {}
    late: dict[int, int] = {}
    for row in (
        daily.order_by()
        .values("agency_id", "channel", "agency_level")
        .annotate(
            today=Sum("received", filter=Q(day=today)),
            received_n=Sum("received"),
            early=Sum("finished_early"),
            on_time=Sum("finished_on_time"),
            late_n=Sum("finished_late"),
        )
    ):
        counts["received_today"] += row["today"] or 0
        counts["received_month"] += row["received_n"] or 0
        counts["finished_early"] += row["early"] or 0
        counts["finished_on_time"] += row["on_time"] or 0
        counts["finished_late"] += row["late_n"] or 0
        if row["received_n"]:
            by_channel[row["channel"]] = by_channel.get(row["channel"], 0) + row["received_n"]
            by_level[row["agency_level"]] = by_level.get(row["agency_level"], 0) + row["received_n"]
        late[row["agency_id"]] = late.get(row["agency_id"], 0) + (row["late_n"] or 0)
    open_rows = (
        facts.filter(finished_at__isnull=True)
        .order_by()
        .values("agency_id")
        .annotate(**{name: Count("pk", filter=named_set(name, now=now)[0]) for name in OPEN_NAMES})
    )
    for values in open_rows:
        open_row: dict[str, Any] = dict(values)
        for name in OPEN_NAMES:
            counts[name] += open_row[name]
        late[open_row["agency_id"]] = late.get(open_row["agency_id"], 0) + open_row["open_late"]
    shown = Agency.objects.filter(pk__in=[pk for pk, n in late.items() if n])
    names = {pk: (code, name) for pk, code, name in shown.values_list("pk", "code", "name")}
    ranked = sorted((-n, names[pk][0], names[pk][1]) for pk, n in late.items() if n and pk in names)
    ranking: list[dict[str, Any]] = [
        {"agency__code": code, "agency__name": name, "late": -minus} for minus, code, name in ranked[:10]
    ]
    return counts, by_channel, by_level, ranking


def _figures_from_facts(facts: QuerySet[DossierFact], now: dt.datetime) -> Figures:
    today = today_vn(now)
    month = month_period(today)
    # Only this month's and still-open rows can be in any count.
    relevant = (
        Q(received_at__gte=month.start_at, received_at__lt=month.end_at)
        | Q(finished_at__gte=month.start_at, finished_at__lt=month.end_at)
        | Q(finished_at__isnull=True)
    )
    counts = _counts(facts.filter(relevant), now, NAMES)
    received = facts.filter(named_set("received_month", now=now)[0]).order_by()
    by_channel = {row["channel"]: row["n"] for row in received.values("channel").annotate(n=Count("pk"))}
    by_level = {
        row["agency_level"]: row["n"] for row in received.values("agency_level").annotate(n=Count("pk"))
    }
    late = named_set("open_late", now=now)[0] | named_set("finished_late", now=now)[0]
    ranking: list[dict[str, Any]] = [
        dict(row)
        for row in facts.filter(late)
        .order_by()
        .values("agency__code", "agency__name")
        .annotate(late=Count("pk"))
        .order_by("-late", "agency__code")[:10]
    ]
    return counts, by_channel, by_level, ranking


def dashboard(*, user: AbstractBaseUser | AnonymousUser, now: dt.datetime | None = None) -> dict[str, Any]:
    """The dashboard of the user's scope. Every monitor of the same scope shares one computation for
    ``MOTCUA_IOC_DASHBOARD_SECONDS`` (default 30, the page's refresh interval; 0 = always compute): at a
    million dossiers a cold computation takes seconds (docs/benchmarks.md), a kept one a cache read."""
    from django.conf import settings
    from django.core.cache import cache

    ids, top = monitor_scope(user)
    seconds = int(getattr(settings, "MOTCUA_IOC_DASHBOARD_SECONDS", 30))
    if now is not None or seconds <= 0:
        return dashboard_for(agency_ids=ids, agency=top, now=now or clock.now())
    key = "ioc:dashboard:" + hashlib.sha256(",".join(map(str, sorted(ids))).encode()).hexdigest()
    kept = cache.get(key)
    if kept is None:
        kept = dashboard_for(agency_ids=ids, agency=top, now=clock.now())
        cache.set(key, kept, seconds)
    return kept  # type: ignore[no-any-return]


NAMES = (
    "received_today",
    "received_month",
    "finished_early",
    "finished_on_time",
    "finished_late",
    "open_in_time",
    "open_late",
    "suspended",
    "due_soon",
)
# The sets whose rows are all still open (no end): read from the fact rows' partial index on open rows.
OPEN_NAMES = ("open_in_time", "open_late", "suspended", "due_soon")


def dashboard_for(
    *,
    agency_ids: Collection[int] | None,
    agency: Agency | None,
    now: dt.datetime,
    source: str = "daily",
) -> dict[str, Any]:
    """The dashboard of the agencies ``agency_ids`` (None: all). ``source`` "daily": receipts and ends from
    the daily counters, the open dossiers from their fact rows; "facts": everything from the fact rows (the
    reference the tests hold the fast path to)."""
    today = today_vn(now)
    month = month_period(today)
    facts = (
        DossierFact.objects.all()
        if agency_ids is None
        else DossierFact.objects.filter(agency_id__in=agency_ids)
    )
    if source == "daily":
        counts, by_channel_raw, by_level_raw, ranking = _figures_from_daily(agency_ids, facts, now)
    else:
        counts, by_channel_raw, by_level_raw, ranking = _figures_from_facts(facts, now)
    channels = dict(Channel.choices)
    by_channel = {str(channels.get(key, key)): n for key, n in by_channel_raw.items()}
    from motcua.agencies.models import AgencyLevel

    levels = dict(AgencyLevel.choices)
    by_level = {str(levels.get(key, key)): n for key, n in by_level_raw.items()}
    due_soon = list(
        facts.filter(named_set("due_soon", now=now)[0])
        .order_by("appointment_at")
        .values("code", "agency__name", "appointment_at")[:20]
    )
    open_late_codes = list(
        facts.filter(named_set("open_late", now=now)[0])
        .order_by("appointment_at")
        .values_list("code", flat=True)[:200]
    )
    index = index_compute(period=month, agency=agency, now=now, source=source)
    trend = []
    start = month.start
    for back in range(5, -1, -1):
        day = start
        for _step in range(back):
            day = (day - dt.timedelta(days=1)).replace(day=1)
        period = month_period(day)
        if back == 0:
            result = index
        elif source == "daily":
            result = index_month_kept(month=period.start, agency=agency, now=now)
        else:
            result = index_compute(period=period, agency=agency, now=now, source=source)
        trend.append({"month": f"{day:%m/%Y}", "total": result["total"], "groups": result["groups"]})
    return {
        "now": now,
        "generated_at": when(now),
        "month": month,
        "agency": agency,
        "counts": counts,
        "by_channel": by_channel,
        "by_level": by_level,
        "ranking": ranking,
        "due_soon": due_soon,
        "open_late_codes": open_late_codes,
        "index": index,
        "trend": trend,
    }


def dossiers_in_set(
    *, user: AbstractBaseUser | AnonymousUser, name: str, now: dt.datetime | None = None, limit: int = 500
) -> dict[str, Any]:
    now = now or clock.now()
    ids, _top = monitor_scope(user)
    condition, title = named_set(name, now=now)
    facts = DossierFact.objects.filter(agency_id__in=ids).filter(condition).order_by("appointment_at", "code")
    rows = [
        {
            "code": fact.code,
            "agency": fact.agency.name,
            "received_at": fact.received_at,
            "appointment_at": fact.appointment_at,
            "finished_at": fact.finished_at,
            "reason": _set_reason(name, fact, now),
        }
        for fact in facts.select_related("agency")[:limit]
    ]
    return {"name": name, "title": title, "count": facts.count(), "dossiers": rows}


def _set_reason(name: str, fact: DossierFact, now: dt.datetime) -> str:
    if name in ("open_late", "open_in_time", "due_soon"):
        word = _("quá hạn") if fact.appointment_at and fact.appointment_at < now else _("trong hạn")
        return _("đang xử lý %(word)s: hẹn trả %(due)s, lúc xem %(now)s") % {
            "word": word,
            "due": when(fact.appointment_at),
            "now": when(now),
        }
    if name == "suspended":
        return _("tạm dừng, trạng thái %(code)d") % {"code": fact.national_status}
    if name.startswith("received"):
        return _("tiếp nhận %(at)s") % {"at": when(fact.received_at)}
    return fact.verdict_reason


def period_parse(start: str | None, end: str | None, *, now: dt.datetime | None = None) -> Period:
    from motcua.core.errors import ValidationFailedError

    month = month_period(today_vn(now))
    try:
        first = dt.date.fromisoformat(start) if start else month.start
        last = dt.date.fromisoformat(end) if end else month.end
    except ValueError as error:
        raise ValidationFailedError(_("Ngày phải có dạng YYYY-MM-DD.")) from error
    if last < first or (last - first).days > 3700:
        raise ValidationFailedError(_("Khoảng thời gian không hợp lệ."))
    return Period(first, last)
