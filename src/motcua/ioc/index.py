"""The national service-quality index (Decision 766/QĐ-TTg as the national portal computes it) from our own
fact rows, for any period, agency or the whole province — with the dossiers behind every number and a
what-if.

What an indicator is worth (group, maximum, full-marks threshold, effective dates, legal basis) is data
(``IndicatorRule``); what it counts is one of the ``MEASURES`` below, each written twice — as a database
filter for the counts, and as a Python test for one fact (the what-if and the reasons) — and the tests hold
the two to the same answers. Scoring (legal-review.md §B): with a threshold T, ``max × min(1, rate ÷ T)``;
without, ``max × rate``; two decimals; an empty denominator gives no score (N/A)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Count, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from motcua.agencies.models import Agency
from motcua.agencies.selectors import agency_descendant_ids
from motcua.core import clock
from motcua.ioc.models import DossierFact, IndicatorRule
from motcua.ioc.ontime import VN, when

OK = ("early", "on_time")


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=VN)

    @property
    def end_at(self) -> dt.datetime:
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=VN)

    def as_of(self, now: dt.datetime | None = None) -> dt.datetime:
        return min(now or clock.now(), self.end_at)


@dataclass(frozen=True)
class Row:
    """The fields of a fact the measures read (a fact row, or a what-if's changed copy of one)."""

    code: str
    received_at: dt.datetime | None
    appointment_at: dt.datetime | None
    finished_at: dt.datetime | None
    clock_end_at: dt.datetime | None
    verdict: str
    verdict_reason: str
    supplement_requests: int
    channel: str
    synced: bool
    fee_bearing: bool
    paid_online: bool
    result_is_document: bool
    e_result: bool
    components_digitised: bool
    reused: bool
    from_store: bool
    population_data: bool
    dissatisfied: bool


ROW_FIELDS = tuple(Row.__dataclass_fields__)


@dataclass(frozen=True)
class Measure:
    """Population (who is looked at), denominator and numerator, as filters and as tests, plus the reason a
    fact is (or is not) in the numerator."""

    population: str  # "received" (receipt date in the period) or "processed" (§1.7: finished + open)
    denominator: Callable[[Period, dt.datetime], Q]
    numerator: Callable[[Period, dt.datetime], Q]
    in_denominator: Callable[[Row, Period, dt.datetime], bool]
    in_numerator: Callable[[Row, Period, dt.datetime], bool]
    reason: Callable[[Row, Period, dt.datetime], str]
    # The daily counters (``ioc.daily.COUNTERS``) holding the denominator and the numerator: by receipt
    # day for the "received" population; for "processed", the part already ended on a past day.
    daily: tuple[str, str] = ("", "")


def _received(period: Period, as_of: dt.datetime) -> Q:
    return Q(received_at__gte=period.start_at, received_at__lt=period.end_at)


def _row_received(row: Row, period: Period, as_of: dt.datetime) -> bool:
    return row.received_at is not None and period.start_at <= row.received_at < period.end_at


def _processed(period: Period, as_of: dt.datetime) -> Q:
    closed = Q(finished_at__gte=period.start_at, finished_at__lte=as_of)
    still_open = Q(received_at__lte=as_of) & (Q(finished_at__isnull=True) | Q(finished_at__gt=as_of))
    return (closed | still_open) & ~Q(verdict="not_counted") & Q(received_at__isnull=False)


def _row_closed(row: Row, period: Period, as_of: dt.datetime) -> bool:
    return row.finished_at is not None and period.start_at <= row.finished_at <= as_of


def _row_open(row: Row, as_of: dt.datetime) -> bool:
    return (
        row.received_at is not None
        and row.received_at <= as_of
        and (row.finished_at is None or row.finished_at > as_of)
    )


def _row_processed(row: Row, period: Period, as_of: dt.datetime) -> bool:
    return row.verdict != "not_counted" and (_row_closed(row, period, as_of) or _row_open(row, as_of))


def _in_time(period: Period, as_of: dt.datetime) -> Q:
    """§1.7: finished (or ended by a pending supplement request) on time, or still open and not yet due."""
    closed = Q(finished_at__gte=period.start_at, finished_at__lte=as_of, verdict__in=OK)
    still_open = Q(received_at__lte=as_of) & (Q(finished_at__isnull=True) | Q(finished_at__gt=as_of))
    decided = Q(verdict__in=OK, clock_end_at__lte=as_of)
    not_due = Q(supplement_requests__lt=2, appointment_at__gte=as_of)
    return _processed(period, as_of) & (closed | (still_open & (decided | not_due)))


def _row_in_time(row: Row, period: Period, as_of: dt.datetime) -> bool:
    if not _row_processed(row, period, as_of):
        return False
    if _row_closed(row, period, as_of):
        return row.verdict in OK
    decided = row.verdict in OK and row.clock_end_at is not None and row.clock_end_at <= as_of
    not_due = row.supplement_requests < 2 and row.appointment_at is not None and row.appointment_at >= as_of
    return decided or not_due


def _timing_reason(row: Row, period: Period, as_of: dt.datetime) -> str:
    if _row_closed(row, period, as_of) or (
        row.verdict in (*OK, "late") and row.clock_end_at is not None and row.clock_end_at <= as_of
    ):
        return row.verdict_reason
    if row.supplement_requests >= 2:
        return row.verdict_reason
    if row.appointment_at is not None and row.appointment_at >= as_of:
        return _("đang xử lý trong hạn: hẹn trả %(due)s, tính đến %(at)s") % {
            "due": when(row.appointment_at),
            "at": when(as_of),
        }
    return _("đang xử lý quá hạn: hẹn trả %(due)s, tính đến %(at)s") % {
        "due": when(row.appointment_at),
        "at": when(as_of),
    }


def _flag_measure(flag: str, yes: str, no: str, *, base: str = "", daily: tuple[str, str]) -> Measure:
    def den_q(period: Period, as_of: dt.datetime) -> Q:
        return _received(period, as_of) & (Q(**{base: True}) if base else Q())

    def num_q(period: Period, as_of: dt.datetime) -> Q:
        return den_q(period, as_of) & Q(**{flag: True})

    def in_den(row: Row, period: Period, as_of: dt.datetime) -> bool:
        return _row_received(row, period, as_of) and (not base or bool(getattr(row, base)))

    def in_num(row: Row, period: Period, as_of: dt.datetime) -> bool:
        return in_den(row, period, as_of) and bool(getattr(row, flag))

    def reason(row: Row, period: Period, as_of: dt.datetime) -> str:
        return yes if getattr(row, flag) else no

    return Measure("received", den_q, num_q, in_den, in_num, reason, daily)


def _digitised_measure() -> Measure:
    base = _flag_measure("components_digitised", "", "", daily=("received", "digitised"))

    def num_q(period: Period, as_of: dt.datetime) -> Q:
        return _received(period, as_of) & Q(components_digitised=True, e_result=True)

    def in_num(row: Row, period: Period, as_of: dt.datetime) -> bool:
        return _row_received(row, period, as_of) and row.components_digitised and row.e_result

    def reason(row: Row, period: Period, as_of: dt.datetime) -> str:
        parts = [
            _("thành phần đã số hóa") if row.components_digitised else _("thành phần chưa số hóa đủ"),
            _("có kết quả điện tử") if row.e_result else _("chưa có kết quả điện tử"),
        ]
        return ", ".join(parts)

    return replace(base, numerator=num_q, in_numerator=in_num, reason=reason)


def _online_measure() -> Measure:
    base = _flag_measure("e_result", "", "", daily=("received", "online_result"))

    def num_q(period: Period, as_of: dt.datetime) -> Q:
        return (
            _received(period, as_of) & Q(channel="online") & (Q(e_result=True) | Q(result_is_document=False))
        )

    def in_num(row: Row, period: Period, as_of: dt.datetime) -> bool:
        return (
            _row_received(row, period, as_of)
            and row.channel == "online"
            and (row.e_result or not row.result_is_document)
        )

    def reason(row: Row, period: Period, as_of: dt.datetime) -> str:
        if row.channel != "online":
            return _("nộp %(channel)s, không trực tuyến") % {"channel": row.channel}
        return (
            _("nộp trực tuyến, có kết quả điện tử")
            if row.e_result
            else _("nộp trực tuyến, chưa có kết quả điện tử")
        )

    return replace(base, numerator=num_q, in_numerator=in_num, reason=reason)


def _satisfaction_measure() -> Measure:
    """5.4: 100 % − (late rate + rate of dossiers rated "not satisfied" or petitioned), on the 2.1
    population; a dossier both late and unsatisfied counts once."""

    def num_q(period: Period, as_of: dt.datetime) -> Q:
        return _in_time(period, as_of) & Q(dissatisfied=False)

    def in_num(row: Row, period: Period, as_of: dt.datetime) -> bool:
        return _row_in_time(row, period, as_of) and not row.dissatisfied

    def reason(row: Row, period: Period, as_of: dt.datetime) -> str:
        if row.dissatisfied:
            return _("người dân đánh giá không hài lòng hoặc có phản ánh")
        return _timing_reason(row, period, as_of)

    return Measure(
        "processed",
        _processed,
        num_q,
        _row_processed,
        in_num,
        reason,
        ("processed", "processed_ok_satisfied"),
    )


MEASURES: dict[str, Measure] = {
    "synced": _flag_measure(
        "synced",
        _("đã đồng bộ lên Cổng DVCQG"),
        _("chưa đồng bộ lên Cổng DVCQG"),
        daily=("received", "synced"),
    ),
    "on_time": Measure(
        "processed",
        _processed,
        _in_time,
        _row_processed,
        _row_in_time,
        _timing_reason,
        ("processed", "processed_ok"),
    ),
    "online": _online_measure(),
    "paid_online": _flag_measure(
        "paid_online",
        _("có phí, đã thanh toán trực tuyến"),
        _("có phí, không thanh toán trực tuyến"),
        base="fee_bearing",
        daily=("fee_bearing", "fee_paid_online"),
    ),
    "e_result": _flag_measure(
        "e_result",
        _("có tệp kết quả điện tử"),
        _("chưa có tệp kết quả điện tử"),
        base="result_is_document",
        daily=("result_document", "result_document_e"),
    ),
    "digitised": _digitised_measure(),
    "reused": _flag_measure(
        "reused",
        _("có thành phần tái sử dụng dữ liệu số hóa"),
        _("không tái sử dụng"),
        daily=("received", "reused"),
    ),
    "store": _flag_measure(
        "from_store",
        _("có thành phần lấy từ kho DVCQG"),
        _("không lấy từ kho DVCQG"),
        daily=("received", "from_store"),
    ),
    "population": _flag_measure(
        "population_data",
        _("tài khoản xác thực VNeID hoặc dữ liệu dân cư"),
        _("không dùng dữ liệu dân cư"),
        daily=("received", "population_data"),
    ),
    "satisfaction": _satisfaction_measure(),
}


def relevant(period: Period, as_of: dt.datetime) -> Q:
    """Every row any measure can count, as an OR of conditions each of the table's indexes answers
    (receipt, end, the open rows' partial index): received in the period, ended in it, or open at
    ``as_of``."""
    return (
        Q(received_at__gte=period.start_at, received_at__lt=period.end_at)
        | Q(finished_at__gte=period.start_at, finished_at__lte=as_of)
        | Q(finished_at__isnull=True, received_at__lte=as_of)
        | Q(finished_at__gt=as_of, received_at__lte=as_of)
    )


def rules_on(day: dt.date) -> list[IndicatorRule]:
    return list(
        IndicatorRule.objects.filter(valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )
    )


def scope_ids(agency: Agency | None) -> list[int] | None:
    """The agencies under ``agency`` (None: the whole province, no filter)."""
    if agency is not None and agency.parent_id is not None:
        return list(agency_descendant_ids(agency))
    return None


def scope_facts(agency: Agency | None) -> QuerySet[DossierFact]:
    facts = DossierFact.objects.all()
    ids = scope_ids(agency)
    return facts if ids is None else facts.filter(agency_id__in=ids)


def open_at(facts: QuerySet[DossierFact], moment: dt.datetime, *, span: bool = True) -> QuerySet[DossierFact]:
    """The rows open at ``moment`` (received by then, not ended by then). On PostgreSQL the same condition
    is also asked of the GiST index on the span [receipt, end) (migration 0003): at a past moment neither the
    index on receipt nor the one on end narrows it down — most rows were received before, or ended after."""
    rows = facts.filter(
        Q(received_at__lte=moment) & (Q(finished_at__isnull=True) | Q(finished_at__gt=moment))
    )
    if span and connection.vendor == "postgresql":
        span_sql = RawSQL(f"{OPEN_SPAN} @> %s::timestamptz", [moment], output_field=BooleanField())  # noqa: S611
        rows = rows.filter(span_sql)
    return rows


# The span during which a fact is open, as the GiST index of migration 0003 spells it (an end before the
# receipt gives an empty span, as the condition above would).
OPEN_SPAN = (
    "tstzrange(received_at, CASE WHEN finished_at IS NULL THEN NULL "
    "ELSE GREATEST(finished_at, received_at) END, '[)')"
)


def _counts_from_facts(
    rules: list[IndicatorRule], period: Period, as_of: dt.datetime, agency: Agency | None
) -> dict[str, int]:
    """Every numerator and denominator from the fact rows (the reference the daily counters are held to)."""
    aggregates: dict[str, Any] = {}
    for rule in rules:
        measure = MEASURES[rule.measure]
        aggregates[f"{rule.code}__d"] = Count("pk", filter=measure.denominator(period, as_of))
        aggregates[f"{rule.code}__n"] = Count("pk", filter=measure.numerator(period, as_of))
    if not aggregates:
        return {}
    return scope_facts(agency).filter(relevant(period, as_of)).aggregate(**aggregates)


def _counts_from_daily(
    rules: list[IndicatorRule], period: Period, as_of: dt.datetime, agency: Agency | None
) -> dict[str, int]:
    """The same numbers from the daily counters: whole days by receipt ("received" measures) and by end
    (the part of "processed" ended on a day before ``as_of``'s), plus, from the fact rows, only what no
    whole day holds — the rows ended on ``as_of``'s own day up to ``as_of``, and the rows open at
    ``as_of`` (a few percent of a year's)."""
    from motcua.ioc.daily import day_of
    from motcua.ioc.models import DailyCount

    if not rules:
        return {}
    ids = scope_ids(agency)
    as_of_day = day_of(as_of)
    received_days = Q(day__gte=period.start, day__lte=period.end)
    ended_days = Q(day__gte=period.start, day__lt=as_of_day)
    sums: dict[str, Any] = {}
    for rule in rules:
        measure = MEASURES[rule.measure]
        days = received_days if measure.population == "received" else ended_days
        sums[f"{rule.code}__d"] = Sum(measure.daily[0], filter=days)
        sums[f"{rule.code}__n"] = Sum(measure.daily[1], filter=days)
    daily = DailyCount.objects.filter(day__gte=period.start, day__lte=max(period.end, as_of_day))
    if ids is not None:
        daily = daily.filter(agency_id__in=ids)
    counts = {key: value or 0 for key, value in daily.aggregate(**sums).items()}
    processed = [rule for rule in rules if MEASURES[rule.measure].population == "processed"]
    if processed:
        aggregates: dict[str, Any] = {}
        for rule in processed:
            measure = MEASURES[rule.measure]
            aggregates[f"{rule.code}__d"] = Count("pk", filter=measure.denominator(period, as_of))
            aggregates[f"{rule.code}__n"] = Count("pk", filter=measure.numerator(period, as_of))
        facts = scope_facts(agency)
        day_start = max(period.start_at, dt.datetime.combine(as_of_day, dt.time.min, tzinfo=VN))
        ended_today = facts.filter(finished_at__gte=day_start, finished_at__lte=as_of)
        # One agency's open rows: its own receipt index finds them faster than the province-wide span index
        # (whose key has no agency).
        for rows in (ended_today, open_at(facts, as_of, span=ids is None)):
            for key, value in rows.aggregate(**aggregates).items():
                counts[key] += value
    return counts


def _points(rule: IndicatorRule, rate: Decimal | None) -> Decimal | None:
    if rate is None:
        return None
    share = min(Decimal(1), rate / rule.threshold) if rule.threshold else rate
    return (rule.max_points * share).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _rate(numerator: int, denominator: int) -> Decimal | None:
    if denominator <= 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def index_compute(
    *,
    period: Period,
    agency: Agency | None = None,
    now: dt.datetime | None = None,
    adjust: dict[str, tuple[int, int]] | None = None,
    source: str = "daily",
) -> dict[str, Any]:
    """The index as the issue's JSON (``adjust`` adds (numerator, denominator) deltas per indicator: the
    what-if). ``source`` "daily": counts from the daily counters (the fast path); "facts": from the fact
    rows alone (the reference; the tests hold the two to the same numbers)."""
    as_of = period.as_of(now)
    rules = rules_on(period.end)
    count = _counts_from_daily if source == "daily" else _counts_from_facts
    counts = count(rules, period, as_of, agency)
    indicators: dict[str, Any] = {}
    groups: dict[str, Any] = {}
    total = Decimal(0)
    for rule in rules:
        numerator, denominator = counts[f"{rule.code}__n"], counts[f"{rule.code}__d"]
        if adjust and rule.code in adjust:
            numerator += adjust[rule.code][0]
            denominator += adjust[rule.code][1]
        rate = _rate(numerator, denominator)
        points = _points(rule, rate)
        indicators[rule.code] = {
            "name": rule.name,
            "group": rule.group,
            "numerator": numerator,
            "denominator": denominator,
            "rate": float(rate) if rate is not None else None,
            "points": float(points) if points is not None else None,
            "max_points": float(rule.max_points),
            "threshold": float(rule.threshold) if rule.threshold is not None else None,
            "formula": rule.formula,
            "legal_basis": rule.legal_basis,
        }
        group = groups.setdefault(rule.group, {"name": rule.group_name, "points": 0.0, "max_points": 0.0})
        group["max_points"] = float(Decimal(str(group["max_points"])) + rule.max_points)
        if points is not None:
            group["points"] = float(Decimal(str(group["points"])) + points)
            total += points
    return {
        "period": {
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "as_of": as_of.isoformat(),
        },
        "agency": agency.code if agency is not None else None,
        "total": float(total),
        "max_total": float(sum((rule.max_points for rule in rules), Decimal(0))),
        "groups": groups,
        "indicators": indicators,
    }


def _rows(facts: QuerySet[DossierFact]) -> Iterable[Row]:
    for values in facts.values_list(*ROW_FIELDS):
        yield Row(*values)


def evidence(
    *,
    code: str,
    part: str,
    period: Period,
    agency: Agency | None = None,
    now: dt.datetime | None = None,
    limit: int = 500,
) -> dict[str, Any]:
    """The dossiers behind an indicator's numerator or denominator, each with why it counts."""
    rule = next((r for r in rules_on(period.end) if r.code == code), None)
    if rule is None:
        from motcua.core.errors import NotFoundError

        raise NotFoundError(_("Không có chỉ tiêu %(code)s.") % {"code": code})
    measure = MEASURES[rule.measure]
    as_of = period.as_of(now)
    wanted = measure.numerator if part == "numerator" else measure.denominator
    if part == "late":  # the denominator less the numerator: what costs points
        wanted = lambda p, a: measure.denominator(p, a) & ~measure.numerator(p, a)  # noqa: E731
    facts = scope_facts(agency).filter(wanted(period, as_of)).order_by("received_at", "code")
    total = facts.count()
    items = [
        {
            "code": row.code,
            "received_at": row.received_at.isoformat() if row.received_at else None,
            "appointment_at": row.appointment_at.isoformat() if row.appointment_at else None,
            "finished_at": row.finished_at.isoformat() if row.finished_at else None,
            "in_numerator": measure.in_numerator(row, period, as_of),
            "reason": measure.reason(row, period, as_of),
        }
        for row in _rows(facts[:limit])
    ]
    return {"indicator": code, "name": rule.name, "part": part, "count": total, "dossiers": items}


def what_if(
    *,
    codes: list[str],
    period: Period,
    agency: Agency | None = None,
    finish_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """ "If these dossiers finished (with an electronic result) at ``finish_at`` (default now)": the index
    before and after. Each fact's membership in every numerator and denominator is tested before and after
    the change, and the differences are added to the counts."""
    from motcua.ioc.ontime import ClockInputs, clock_verdict

    moment = finish_at or clock.now()
    as_of = period.as_of(max(now or clock.now(), moment))
    rules = rules_on(period.end)
    adjust: dict[str, tuple[int, int]] = {}
    changed: list[dict[str, Any]] = []
    for row in _rows(scope_facts(agency).filter(code__in=codes, finished_at__isnull=True)):
        verdict = clock_verdict(
            ClockInputs(
                received_at=row.received_at,
                appointment_at=row.appointment_at,
                finished_at=moment,
                appointment_includes_pauses=True,
            )
        )
        if row.supplement_requests >= 2:
            verdict = replace(verdict, verdict="late")
        after = replace(
            row,
            finished_at=moment,
            clock_end_at=verdict.clock_end_at,
            verdict=verdict.verdict,
            verdict_reason=verdict.reason,
            e_result=True,
        )
        changed.append({"code": row.code, "before": row.verdict_reason, "after": verdict.reason})
        for rule in rules:
            measure = MEASURES[rule.measure]
            n = int(measure.in_numerator(after, period, as_of)) - int(
                measure.in_numerator(row, period, as_of)
            )
            d = int(measure.in_denominator(after, period, as_of)) - int(
                measure.in_denominator(row, period, as_of)
            )
            old = adjust.get(rule.code, (0, 0))
            adjust[rule.code] = (old[0] + n, old[1] + d)
    before = index_compute(period=period, agency=agency, now=as_of)
    after_index = index_compute(period=period, agency=agency, now=as_of, adjust=adjust)
    return {
        "finish_at": moment.isoformat(),
        "dossiers": changed,
        "before": before,
        "after": after_index,
        "gain": round(after_index["total"] - before["total"], 2),
    }


def _month_key(day: dt.date) -> str:
    return f"ioc:month-generation:{day:%Y-%m}"


def month_generation_bump(*, since: dt.datetime, until: dt.datetime) -> None:
    """Months whose kept index is stale: each of them, from ``since`` to ``until`` (Vietnam time)."""
    from django.core.cache import cache

    day = since.astimezone(VN).date().replace(day=1)
    last = max(until, since).astimezone(VN).date()
    keys: list[str] = []
    while day <= last and len(keys) < 240:
        keys.append(_month_key(day))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, None)


def index_month_kept(
    *, month: dt.date, agency: Agency | None, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The index of a month already over, kept in the shared cache until a fact of that month changes
    (``month_generation_bump``); the current month is always computed."""
    from django.core.cache import cache

    period = month_period(month)
    now = now or clock.now()
    if period.end_at > now:
        return index_compute(period=period, agency=agency, now=now)
    generation = cache.get(_month_key(month), 0)
    key = f"ioc:index:{agency.pk if agency else 'all'}:{month:%Y-%m}:{generation}"
    kept = cache.get(key)
    if kept is None:
        kept = index_compute(period=period, agency=agency, now=now)
        cache.set(key, kept, 7 * 24 * 3600)
    return kept  # type: ignore[no-any-return]


def month_period(day: dt.date) -> Period:
    start = day.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return Period(start, following - dt.timedelta(days=1))


def today_vn(now: dt.datetime | None = None) -> dt.date:
    return (now or clock.now()).astimezone(VN).date()
