"""Public statistics and open data: the same numbers as the operations centre for a province or an agency
and a period — counts and the index, never a dossier code or a person — as JSON, CSV and XLSX."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from motcua.agencies.models import Agency
from motcua.core import clock
from motcua.core.errors import NotFoundError
from motcua.ioc.index import Period, index_compute, scope_facts
from motcua.ioc.models import DossierFact

COLUMNS = (
    "agency_code",
    "agency_name",
    "received",
    "received_online",
    "received_counter",
    "received_post",
    "finished",
    "finished_early",
    "finished_on_time",
    "finished_late",
    "open",
    "open_late",
    "on_time_rate",
)


def public_agency(code: str | None) -> Agency | None:
    if not code:
        return None
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise NotFoundError(_("Không có cơ quan mã %(code)s.") % {"code": code})
    return agency


def _relevant(period: Period) -> Q:
    """The rows any figure can count (each condition answered by an index of the fact table)."""
    return (
        Q(received_at__gte=period.start_at, received_at__lt=period.end_at)
        | Q(finished_at__gte=period.start_at, finished_at__lt=period.end_at)
        | Q(finished_at__isnull=True, received_at__lt=period.end_at)
    )


def _aggregates(period: Period) -> dict[str, Any]:
    as_of = period.as_of()
    received = Q(received_at__gte=period.start_at, received_at__lt=period.end_at)
    finished = Q(finished_at__gte=period.start_at, finished_at__lt=period.end_at)
    still_open = Q(received_at__lt=period.end_at, finished_at__isnull=True, national_status__in=(2, 4, 5, 6))
    return {
        "received": Count("pk", filter=received),
        "received_online": Count("pk", filter=received & Q(channel="online")),
        "received_counter": Count("pk", filter=received & Q(channel="counter")),
        "received_post": Count("pk", filter=received & Q(channel="post")),
        "finished": Count("pk", filter=finished),
        "finished_early": Count("pk", filter=finished & Q(verdict="early")),
        "finished_on_time": Count("pk", filter=finished & Q(verdict="on_time")),
        "finished_late": Count("pk", filter=finished & Q(verdict="late")),
        "open": Count("pk", filter=still_open),
        "open_late": Count("pk", filter=still_open & Q(appointment_at__lt=as_of)),
    }


FIGURES = COLUMNS[2:-1]


def _figures_by_agency(period: Period, agency: Agency | None) -> dict[int, dict[str, int]]:
    """``_aggregates`` per agency from the daily counters (receipts, ends) and the open fact rows (their
    covering index on PostgreSQL): the same numbers without reading the period's fact rows."""
    from motcua.ioc.index import scope_ids
    from motcua.ioc.models import DailyCount

    ids = scope_ids(agency)
    out: dict[int, dict[str, int]] = {}

    def row(agency_id: int) -> dict[str, int]:
        return out.setdefault(agency_id, dict.fromkeys(FIGURES, 0))

    daily = DailyCount.objects.filter(day__gte=period.start, day__lte=period.end)
    if ids is not None:
        daily = daily.filter(agency_id__in=ids)
    for values in (
        daily.order_by()
        .values("agency_id", "channel")
        .annotate(
            n_received=Sum("received"),
            n_finished=Sum("finished"),
            n_early=Sum("finished_early"),
            n_on_time=Sum("finished_on_time"),
            n_late=Sum("finished_late"),
        )
    ):
        counts: dict[str, Any] = dict(values)
        if not (counts["n_received"] or counts["n_finished"]):
            continue  # a counter row brought back to zero: no dossier of the period
        target = row(counts["agency_id"])
        target["received"] += counts["n_received"] or 0
        if f"received_{counts['channel']}" in target:
            target[f"received_{counts['channel']}"] += counts["n_received"] or 0
        target["finished"] += counts["n_finished"] or 0
        target["finished_early"] += counts["n_early"] or 0
        target["finished_on_time"] += counts["n_on_time"] or 0
        target["finished_late"] += counts["n_late"] or 0
    as_of = period.as_of()
    counted = Q(national_status__in=(2, 4, 5, 6))
    for open_values in (
        scope_facts(agency)
        .filter(received_at__lt=period.end_at, finished_at__isnull=True)
        .order_by()
        .values("agency_id")
        .annotate(
            n_open=Count("pk", filter=counted),
            n_open_late=Count("pk", filter=counted & Q(appointment_at__lt=as_of)),
        )
    ):
        open_counts: dict[str, Any] = dict(open_values)
        target = row(open_counts["agency_id"])
        target["open"] += open_counts["n_open"]
        target["open_late"] += open_counts["n_open_late"]
    return out


def _with_rate(row: dict[str, Any]) -> dict[str, Any]:
    good = row["finished_early"] + row["finished_on_time"]
    row["on_time_rate"] = round(good / row["finished"], 4) if row["finished"] else None
    return row


def statistics_summary(*, period: Period, agency: Agency | None = None) -> dict[str, Any]:
    row = dict.fromkeys(FIGURES, 0)
    for figures in _figures_by_agency(period, agency).values():
        for name, n in figures.items():
            row[name] += n
    row = _with_rate(row)
    index = index_compute(period=period, agency=agency)
    return {
        "period": index["period"],
        "agency": {"code": agency.code, "name": agency.name} if agency else None,
        "figures": row,
        "index": {
            "total": index["total"],
            "max_total": index["max_total"],
            "groups": index["groups"],
            "indicators": {
                code: {
                    k: item[k] for k in ("name", "numerator", "denominator", "rate", "points", "max_points")
                }
                for code, item in index["indicators"].items()
            },
        },
        "generated_at": clock.now().isoformat(),
    }


def statistics_by_agency(*, period: Period, agency: Agency | None = None) -> list[dict[str, Any]]:
    """One row per agency that has dossiers in the period (within ``agency`` when given)."""
    by_agency = _figures_by_agency(period, agency)
    names = {
        pk: (code, name)
        for pk, code, name in Agency.objects.filter(pk__in=list(by_agency)).values_list("pk", "code", "name")
    }
    out = []
    for pk, figures in sorted(by_agency.items(), key=lambda item: names[item[0]][0]):
        row: dict[str, Any] = {"agency_code": names[pk][0], "agency_name": names[pk][1], **figures}
        out.append(_with_rate(row))
    return out


def statistics_by_agency_from_facts(*, period: Period, agency: Agency | None = None) -> list[dict[str, Any]]:
    """The same rows from the fact rows alone (the reference the tests hold the counters to)."""
    facts = scope_facts(agency).filter(_relevant(period))
    rows = (
        facts.order_by()
        .values("agency__code", "agency__name")
        .annotate(**_aggregates(period))
        .order_by("agency__code")
    )
    out = []
    for values in rows:
        row: dict[str, Any] = dict(values)
        row["agency_code"] = row.pop("agency__code")
        row["agency_name"] = row.pop("agency__name")
        out.append(_with_rate(row))
    return out


def export_csv(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: spreadsheets then read Vietnamese right


def export_xlsx(rows: list[dict[str, Any]], *, title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row.get(column) for column in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def facts_count() -> int:
    return DossierFact.objects.count()
