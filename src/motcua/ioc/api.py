"""The operations centre's API: open data for everyone (``/api/v1/statistics/open/...``: counts and the
index per province or agency and period, as JSON, CSV or XLSX — no dossier, no person) and the national
index with its evidence and what-if for the monitoring roles (``/api/v1/statistics/index...``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from motcua.core.auth import api_auth
from motcua.core.errors import ValidationFailedError
from motcua.ioc import index, opendata, selectors

open_router = Router(auth=None)
index_router = Router(auth=api_auth)


class FiguresOut(Schema):
    received: int
    received_online: int
    received_counter: int
    received_post: int
    finished: int
    finished_early: int
    finished_on_time: int
    finished_late: int
    open: int
    open_late: int
    on_time_rate: float | None


class AgencyFiguresOut(FiguresOut):
    agency_code: str
    agency_name: str


class SummaryOut(Schema):
    period: dict[str, str]
    agency: dict[str, str] | None
    figures: FiguresOut
    index: dict[str, Any]
    generated_at: str


@open_router.get(
    "/summary", response=SummaryOut, summary="Open data: figures and the index (province or agency)"
)
def open_summary(
    request: HttpRequest, start: str | None = None, end: str | None = None, agency: str | None = None
) -> dict[str, Any]:
    """``start``/``end`` as YYYY-MM-DD (default: this month); ``agency`` an e-ID code (default: the
    province)."""
    period = selectors.period_parse(start, end)
    return opendata.statistics_summary(period=period, agency=opendata.public_agency(agency))


@open_router.get("/agencies", response=list[AgencyFiguresOut], summary="Open data: figures per agency")
def open_by_agency(
    request: HttpRequest, start: str | None = None, end: str | None = None, agency: str | None = None
) -> list[dict[str, Any]]:
    period = selectors.period_parse(start, end)
    return opendata.statistics_by_agency(period=period, agency=opendata.public_agency(agency))


@open_router.get("/agencies.csv", summary="Open data: figures per agency as CSV")
def open_csv(
    request: HttpRequest, start: str | None = None, end: str | None = None, agency: str | None = None
) -> HttpResponse:
    period = selectors.period_parse(start, end)
    rows = opendata.statistics_by_agency(period=period, agency=opendata.public_agency(agency))
    response = HttpResponse(opendata.export_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="thong-ke-{period.start}-{period.end}.csv"'
    return response


@open_router.get("/agencies.xlsx", summary="Open data: figures per agency as XLSX")
def open_xlsx(
    request: HttpRequest, start: str | None = None, end: str | None = None, agency: str | None = None
) -> HttpResponse:
    period = selectors.period_parse(start, end)
    rows = opendata.statistics_by_agency(period=period, agency=opendata.public_agency(agency))
    response = HttpResponse(
        opendata.export_xlsx(rows, title=f"{period.start}-{period.end}"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="thong-ke-{period.start}-{period.end}.xlsx"'
    return response


@index_router.get("", summary="The national service-quality index (Decision 766) for the caller's scope")
def index_get(request: HttpRequest, start: str | None = None, end: str | None = None) -> dict[str, Any]:
    _ids, top = selectors.monitor_scope(request.user)
    return index.index_compute(period=selectors.period_parse(start, end), agency=top)


@index_router.get("/{code}/evidence", summary="The dossiers behind an indicator's numerator or denominator")
def index_evidence(
    request: HttpRequest, code: str, part: str = "numerator", start: str | None = None, end: str | None = None
) -> dict[str, Any]:
    """``part``: ``numerator``, ``denominator`` or ``late`` (the denominator less the numerator)."""
    if part not in ("numerator", "denominator", "late"):
        raise ValidationFailedError(_("Phần phải là numerator, denominator hoặc late."))
    _ids, top = selectors.monitor_scope(request.user)
    return index.evidence(code=code, part=part, period=selectors.period_parse(start, end), agency=top)


class WhatIfIn(Schema):
    codes: list[str]
    start: str | None = None
    end: str | None = None


@index_router.post("/what-if", summary="The index if these dossiers finished now")
def index_what_if(request: HttpRequest, payload: WhatIfIn) -> dict[str, Any]:
    _ids, top = selectors.monitor_scope(request.user)
    period = selectors.period_parse(payload.start, payload.end)
    return index.what_if(codes=payload.codes[:1000], period=period, agency=top)
