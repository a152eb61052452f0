"""Citizen-facing pages of the catalogue. Thin: parse the query, call catalogue selectors, render."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from motcua.catalog.models import AdministrativeLevel, Field, OnlineLevel
from motcua.catalog.selectors import procedure_version_get_current, procedure_version_search
from motcua.core import clock
from motcua.core.errors import NotFoundError

PAGE_SIZE = 20


def home(request: HttpRequest) -> HttpResponse:
    today = clock.local_today()
    fields = (
        Field.objects.filter(versions__status="published", versions__effective_from__lte=today)
        .filter(Q(versions__effective_to__isnull=True) | Q(versions__effective_to__gte=today))
        .annotate(n=Count("versions", distinct=True))
        .order_by("sector", "name")
    )
    popular = procedure_version_search()[:6]
    return render(
        request,
        "portal/home.html",
        {"fields": fields, "popular": popular, "levels": AdministrativeLevel.choices},
    )


def procedure_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    field_code = request.GET.get("field") or None
    level = request.GET.get("level") or None
    online = request.GET.get("online") or None
    versions = procedure_version_search(query=query, field_code=field_code, level=level)
    if online in OnlineLevel.values:
        versions = versions.filter(online_level=online)
    page = Paginator(versions, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "portal/procedure_list.html",
        {
            "page": page,
            "query": query,
            "field_code": field_code or "",
            "level": level or "",
            "online": online or "",
            "fields": Field.objects.order_by("name"),
            "levels": [c for c in AdministrativeLevel.choices if c[0] in ("province", "commune")],
            "online_levels": OnlineLevel.choices,
            "querystring": params.urlencode(),
        },
    )


def procedure_detail(request: HttpRequest, local_code: str) -> HttpResponse:
    try:
        version = procedure_version_get_current(local_code=local_code)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    return render(
        request,
        "portal/procedure_detail.html",
        {
            "version": version,
            "components": version.components.all(),
            "fees": version.fees.all(),
            "steps": version.steps.all(),
            "bases": version.legal_bases.all(),
            "receiving": version.receiving_agencies.all(),
        },
    )
