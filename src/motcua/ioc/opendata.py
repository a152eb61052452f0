"""Public statistics and open data: the same numbers as the operations centre for a province or an agency
and a period — counts and the index, never a dossier code or a person — as JSON, CSV and XLSX."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db.models import Count, Q
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


def _with_rate(row: dict[str, Any]) -> dict[str, Any]:
    good = row["finished_early"] + row["finished_on_time"]
    row["on_time_rate"] = round(good / row["finished"], 4) if row["finished"] else None
    return row


def statistics_summary(*, period: Period, agency: Agency | None = None) -> dict[str, Any]:
    facts = scope_facts(agency).filter(_relevant(period))
    row = _with_rate(facts.aggregate(**_aggregates(period)))
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
