"""The gateway's pages on the main site, for the province's administrators and for integrators (staff
given the ``gateway.view_service`` permission): the registry browser (/lgsp/), the operator page
(/lgsp/van-hanh/) with per-service health and the dead-letter list, and the message log (/lgsp/nhat-ky/)
with each message's seal and its evidence (administrators, or ``gateway.view_messagelog``)."""

from __future__ import annotations

import json
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts.selectors import user_is_province_administrator
from motcua.core.errors import ApplicationError
from motcua.gateway import selectors
from motcua.gateway.models import Outcome
from motcua.gateway.services import dead_letter_replay, evidence_for_official


def _may_view(request: HttpRequest) -> None:
    user = request.user
    if getattr(user, "kind", "") != "staff" and not user.is_superuser:
        raise Http404
    if not (user_is_province_administrator(user) or user.has_perm("gateway.view_service")):
        raise Http404


def _may_operate(request: HttpRequest) -> bool:
    return user_is_province_administrator(request.user) or request.user.has_perm("gateway.change_delivery")


def _may_take_evidence(request: HttpRequest) -> bool:
    # The evidence holds the exchange's bodies (personal data for some services): not every integrator.
    return user_is_province_administrator(request.user) or request.user.has_perm("gateway.view_messagelog")


_ID_RUN = re.compile(r"\d{9,}")


def _masked(text: str) -> str:
    """ID numbers in a query string shown as 001******345 (the page is not where personal data is read)."""
    return _ID_RUN.sub(lambda m: f"{m.group()[:3]}{'*' * (len(m.group()) - 6)}{m.group()[-3:]}", text)


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


@login_required
def message_log(request: HttpRequest) -> HttpResponse:
    _may_view(request)
    filters = {
        "service": request.GET.get("service", "").strip(),
        "client": request.GET.get("client", "").strip(),
        "outcome": request.GET.get("outcome", "").strip(),
        "message_id": request.GET.get("message_id", "").strip(),
    }
    logs = list(selectors.messages_log(**filters)[: selectors.MESSAGES_SHOWN])
    return render(
        request,
        "gateway/messages.html",
        {
            "logs": logs,
            "filters": filters,
            "outcomes": Outcome.choices,
            "shown": selectors.MESSAGES_SHOWN,
        },
    )


@login_required
def message(request: HttpRequest, pk: int) -> HttpResponse:
    _may_view(request)
    log = selectors.message_detail(pk)
    if log is None:
        raise Http404
    return render(
        request,
        "gateway/message.html",
        {
            "log": log,
            "query": _masked(log.query),
            "request_size": len(bytes(log.request_body)),
            "response_size": len(bytes(log.response_body)),
            "stamped": log.batch is not None and bool(log.batch.stamped_at),
            "may_take_evidence": _may_take_evidence(request),
            "personal_data": selectors.service_carries_personal_data(log.service_code),
        },
    )


@login_required
def message_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    _may_view(request)
    if not _may_take_evidence(request):
        raise Http404
    log = selectors.message_detail(pk)
    if log is None:
        raise Http404
    user = request.user
    reader = f"{user.get_username()} ({getattr(user, 'full_name', '')})"
    try:
        data = evidence_for_official(log=log, user=user, reader=reader)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("gateway:message", pk=pk)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    safe_id = re.sub(r"[^A-Za-z0-9._-]", "_", log.message_id)[:80]
    response["Content-Disposition"] = f'attachment; filename="lgsp-evidence-{safe_id}.json"'
    response["Cache-Control"] = "no-store"
    return response
