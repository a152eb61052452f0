"""The gateway's pages on the main site, for the province's administrators and for integrators (staff
given the ``gateway.view_service`` permission): the registry browser (/lgsp/) and the operator page
(/lgsp/van-hanh/) with per-service health and the dead-letter list."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts.selectors import user_is_province_administrator
from motcua.core.errors import ApplicationError
from motcua.gateway import selectors
from motcua.gateway.services import dead_letter_replay


def _may_view(request: HttpRequest) -> None:
    user = request.user
    if getattr(user, "kind", "") != "staff" and not user.is_superuser:
        raise Http404
    if not (user_is_province_administrator(user) or user.has_perm("gateway.view_service")):
        raise Http404


def _may_operate(request: HttpRequest) -> bool:
    return user_is_province_administrator(request.user) or request.user.has_perm("gateway.change_delivery")


@login_required
def registry(request: HttpRequest) -> HttpResponse:
    _may_view(request)
    return render(request, "gateway/registry.html", {"members": selectors.members_with_services()})


@login_required
def service(request: HttpRequest, code: str) -> HttpResponse:
    _may_view(request)
    found = selectors.service_detail(code)
    if found is None:
        raise Http404
    versions = [(v, json.dumps(v.description, ensure_ascii=False, indent=2)) for v in found.versions.all()]
    return render(request, "gateway/service.html", {"service": found, "versions": versions})


@login_required
def operations(request: HttpRequest) -> HttpResponse:
    _may_view(request)
    return render(
        request,
        "gateway/operations.html",
        {
            "health": selectors.services_health(),
            "dead": list(selectors.dead_letters()[:200]),
            "waiting": selectors.deliveries_waiting().count(),
            "may_operate": _may_operate(request),
        },
    )


@login_required
@require_POST
def replay(request: HttpRequest, delivery_id: int) -> HttpResponse:
    _may_view(request)
    if not _may_operate(request):
        raise Http404
    try:
        dead_letter_replay(delivery_id=delivery_id, operator=request.user.get_username())
        messages.success(request, _("Đã đưa thông điệp trở lại hàng đợi chuyển."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("gateway:operations")
