"""Pages of the operations centre (monitoring roles) and the public statistics. Thin: parse, call a
selector, render; every count is a link to the dossiers behind it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.core.errors import NotFoundError, PermissionDeniedError, ValidationFailedError
from motcua.ioc import charts, index, opendata, selectors


def _charts(data: dict[str, Any]) -> dict[str, str]:
    counts = data["counts"]
    return {
        "outcome": charts.bar_chart(
            _("Kết quả giải quyết trong tháng"),
            [
                (_("Trước hạn"), counts["finished_early"]),
                (_("Đúng hạn"), counts["finished_on_time"]),
                (_("Quá hạn"), counts["finished_late"]),
                (_("Đang xử lý trong hạn"), counts["open_in_time"]),
                (_("Đang xử lý quá hạn"), counts["open_late"]),
                (_("Tạm dừng"), counts["suspended"]),
            ],
        ),
        "channel": charts.bar_chart(_("Tiếp nhận trong tháng theo kênh"), list(data["by_channel"].items())),
        "level": charts.bar_chart(_("Tiếp nhận trong tháng theo cấp"), list(data["by_level"].items())),
        "ranking": charts.bar_chart(
            _("Cơ quan có nhiều hồ sơ quá hạn"),
            [(row["agency__name"], row["late"]) for row in data["ranking"]],
        ),
        "trend": charts.line_chart(
            _("Chỉ số phục vụ theo tháng"),
            [(row["month"], row["total"]) for row in data["trend"]],
            top=max(1.0, data["index"]["max_total"]),
        ),
        "groups": charts.bar_chart(
            _("Điểm theo nhóm chỉ số"),
            [(group["name"], group["points"]) for group in data["index"]["groups"].values()],
        ),
    }


def _dashboard_data(request: HttpRequest) -> dict[str, Any]:
    try:
        return selectors.dashboard(user=request.user)
    except PermissionDeniedError as error:
        raise PermissionDenied(error.message) from error


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    data = _dashboard_data(request)
    return render(request, "ioc/dashboard.html", {**data, "charts": _charts(data)})


@login_required
def dashboard_json(request: HttpRequest) -> JsonResponse:
    """What the page's script polls: the counts and the charts, redrawn on the server."""
    data = _dashboard_data(request)
    return JsonResponse(
        {
            "generated_at": data["generated_at"],
            "counts": data["counts"],
            "index_total": data["index"]["total"],
            "charts": {key: str(svg) for key, svg in _charts(data).items()},
        }
    )


@login_required
def dossier_set(request: HttpRequest, name: str) -> HttpResponse:
    try:
        data = selectors.dossiers_in_set(user=request.user, name=name)
    except PermissionDeniedError as error:
        raise PermissionDenied(error.message) from error
    except NotFoundError as error:
        raise Http404(error.message) from error
    return render(request, "ioc/dossiers.html", data)


def _period(request: HttpRequest) -> index.Period:
    try:
        return selectors.period_parse(request.GET.get("from"), request.GET.get("to"))
    except ValidationFailedError as error:
        raise Http404(error.message) from error


@login_required
def indicator_evidence(request: HttpRequest, code: str, part: str) -> HttpResponse:
    if part not in ("numerator", "denominator", "late"):
        raise Http404
    try:
        _ids, top = selectors.monitor_scope(request.user)
        data = index.evidence(code=code, part=part, period=_period(request), agency=top)
    except PermissionDeniedError as error:
        raise PermissionDenied(error.message) from error
    except NotFoundError as error:
        raise Http404(error.message) from error
    return render(request, "ioc/evidence.html", {**data, "period": _period(request)})


@login_required
@require_POST
def what_if(request: HttpRequest) -> HttpResponse:
    codes = [code for code in request.POST.getlist("code") if code][:1000]
    try:
        _ids, top = selectors.monitor_scope(request.user)
    except PermissionDeniedError as error:
        raise PermissionDenied(error.message) from error
    period = _period(request)
    result = index.what_if(codes=codes, period=period, agency=top)
    rows = [
        {
            "code": code,
            "name": item["name"],
            "before": result["before"]["indicators"][code],
            "after": item,
        }
        for code, item in result["after"]["indicators"].items()
    ]
    return render(request, "ioc/what_if.html", {**result, "rows": rows, "period": period})


def public_statistics(request: HttpRequest, agency_code: str | None = None) -> HttpResponse:
    try:
        agency = opendata.public_agency(agency_code)
    except NotFoundError as error:
        raise Http404(error.message) from error
    period = _period(request)
    summary = opendata.statistics_summary(period=period, agency=agency)
    rows = opendata.statistics_by_agency(period=period, agency=agency)
    figures = summary["figures"]
    chart = charts.bar_chart(
        _("Kết quả giải quyết"),
        [
            (_("Trước hạn"), figures["finished_early"]),
            (_("Đúng hạn"), figures["finished_on_time"]),
            (_("Quá hạn"), figures["finished_late"]),
            (_("Đang xử lý"), figures["open"]),
        ],
    )
    query = f"start={period.start}&end={period.end}" + (f"&agency={agency.code}" if agency else "")
    return render(
        request,
        "ioc/public.html",
        {
            "summary": summary,
            "rows": rows,
            "agency": agency,
            "period": period,
            "chart": chart,
            "query": query,
        },
    )
