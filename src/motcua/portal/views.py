"""Citizen-facing pages of the catalogue. Thin: parse the query, call selectors, paginate, render."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from motcua.catalog.models import OnlineLevel
from motcua.catalog.search import MAX_QUERY_LENGTH
from motcua.catalog.selectors import procedure_version_get_current, procedure_version_search
from motcua.core.errors import NotFoundError
from motcua.portal import privacy, selectors
from motcua.portal.fees import fee_summary
from motcua.portal.presentation import process_total

PAGE_SIZE = 20


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {
            "fields": selectors.field_list_with_counts(),
            "levels": selectors.level_list_with_counts(),
            "online_levels": selectors.online_level_list_with_counts(),
            "popular": selectors.procedure_version_popular(),
        },
    )


def procedure_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    levels = selectors.level_list_with_counts()
    level = _choice(request.GET.get("level"), [lv.value for lv in levels])
    online = _choice(request.GET.get("online"), list(OnlineLevel.values))
    fields = selectors.field_list_with_counts()
    field_code = _choice(request.GET.get("field"), [f.code for f in fields])
    versions = procedure_version_search(query=query, field_code=field_code, level=level)
    if online:
        versions = versions.filter(online_level=online)
    page = Paginator(versions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/procedure_list.html",
        {
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "query": query,
            "field_code": field_code or "",
            "field_name": next((f.name for f in fields if f.code == field_code), ""),
            "level": level or "",
            "online": online or "",
            "fields": fields,
            "levels": levels,
            "online_levels": OnlineLevel.choices,
            "filtered": bool(query or field_code or level or online),
        },
    )


def procedure_detail(request: HttpRequest, local_code: str) -> HttpResponse:
    try:
        version = procedure_version_get_current(local_code=local_code)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    steps = list(version.steps.all())
    return render(
        request,
        "portal/procedure_detail.html",
        {
            "version": version,
            "components": version.components.all(),
            "fees": fee_summary(list(version.fees.all())),
            "steps": steps,
            "process_total": process_total(steps),
            "bases": version.legal_bases.all(),
            "receiving": version.receiving_agencies.all(),
            "online_submission": version.online_level != OnlineLevel.NONE and "online" in version.channels,
            "counter_intake": selectors.procedure_counter_intake_allowed(user=request.user, version=version),
        },
    )


def _choice(value: str | None, allowed: list[str]) -> str | None:
    """A filter value from the query string, or None when it is empty or not one we offer."""
    return value if value and value in allowed else None


def privacy_notice(request: HttpRequest) -> HttpResponse:
    """Chính sách bảo vệ dữ liệu cá nhân (Law 91/2025/QH15, Decree 356/2025/NĐ-CP): the notice a
    controller must publish; ``print`` is the same text laid out for the counter (A4, no navigation)."""
    return _privacy_notice(request, "portal/privacy_notice.html")


def privacy_notice_print(request: HttpRequest) -> HttpResponse:
    return _privacy_notice(request, "portal/privacy_notice_print.html")


def _privacy_notice(request: HttpRequest, template: str) -> HttpResponse:
    english = (get_language() or "vi").startswith("en")
    try:
        rules = selectors.privacy_notice_rules()
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    context = privacy.notice_context(rules, english=english)
    context["contact"] = selectors.site_contact()
    context["body_template"] = "portal/privacy/notice_en.html" if english else "portal/privacy/notice_vi.html"
    return render(request, template, context)
