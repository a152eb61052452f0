"""Thin pages over services: the applicant's payment page and the hand-off to the platform, the platform's
notification (IPN) and the browser's return, the receipt PDF, the clerk's counter payment and refund, and
the operator's reconciliation page."""

from __future__ import annotations

import datetime as dt
import urllib.parse

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from motcua.accounts.http import AuthenticatedHttpRequest
from motcua.core import clock
from motcua.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from motcua.dossiers import selectors as dossier_selectors
from motcua.payments import reconcile, selectors, services
from motcua.payments.models import OrderStatus


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


@login_required
def pay_page(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    try:
        dossier = dossier_selectors.dossier_get_for_applicant(user=request.user, code=code)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    response = render(request, "payments/pay.html", selectors.payment_summary(dossier=dossier))
    if settings.SECURE_CSP:
        # The pay button's POST is answered with a redirect to the platform: the form may go there too
        # (Chromium applies form-action to the redirect's target).
        parts = urllib.parse.urlsplit(settings.MOTCUA_PAYMENT_URL)
        policy = dict(settings.SECURE_CSP)
        policy["form-action"] = ["'self'", f"{parts.scheme}://{parts.netloc}"]
        response._csp_config = policy  # type: ignore[attr-defined]  # what @csp_override sets
    return response


@login_required
@require_POST
def pay_start(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Open (or reuse) the order and send the browser to the platform with the signed parameters."""
    from motcua.payments.providers import provider

    try:
        dossier = dossier_selectors.dossier_get_for_applicant(user=request.user, code=code)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    try:
        order = services.order_open(dossier=dossier, payer=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("payments:pay", code=code)
    return_url = request.build_absolute_uri(reverse("payments:return"))
    return redirect(
        provider().checkout_url(order=order, return_url=return_url, client_ip=_client_ip(request))
    )


@csrf_exempt  # the platform's server calls it; the HMAC signature is the authentication
@require_GET
def ipn(request: HttpRequest) -> JsonResponse:
    result = services.notification_handle({k: request.GET.get(k, "") for k in request.GET})
    return JsonResponse(result.body)


@require_GET
def payment_return(request: HttpRequest) -> HttpResponse:
    """Only shows the state the notification recorded; a forged return changes nothing."""
    order = services.browser_return({k: request.GET.get(k, "") for k in request.GET})
    if order is None:
        raise Http404(_("Không tìm thấy giao dịch."))
    mine = request.user.is_authenticated and order.dossier.applicant_user_id == request.user.pk
    return render(
        request,
        "payments/return.html",
        {
            "order": order,
            "mine": mine,
            "paid": order.status == OrderStatus.PAID,
            "pending": order.status == OrderStatus.PENDING,
            "cancelled": request.GET.get("vnp_ResponseCode") == "24",
        },
    )


@login_required
def receipt_pdf(request: AuthenticatedHttpRequest, txn_ref: str) -> HttpResponse | FileResponse:
    try:
        receipt = selectors.receipt_get(user=request.user, txn_ref=txn_ref)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    if not receipt.pdf:
        raise Http404
    name = f"bien-lai-{receipt.series.series}-{receipt.display_number}.pdf"
    return FileResponse(receipt.pdf.open("rb"), content_type="application/pdf", filename=name)


@login_required
@require_POST
def counter_pay(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    try:
        dossier = dossier_selectors.dossier_get_for_officer(user=request.user, code=code)
        order = services.counter_payment_record(
            dossier=dossier,
            clerk=request.user,
            method=request.POST.get("method", ""),
            reference=request.POST.get("reference", ""),
        )
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Đã ghi nhận thu %(amount)s đồng.") % {"amount": f"{order.amount:,}".replace(",", ".")}
        )
    return redirect("dossiers:desk_detail", code=code)


@login_required
@require_POST
def fee_exemption(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    try:
        dossier = dossier_selectors.dossier_get_for_officer(user=request.user, code=code)
        services.fee_exemption_apply(
            dossier=dossier, clerk=request.user, category=request.POST.get("category", "")
        )
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã áp dụng miễn, giảm phí, lệ phí."))
    return redirect("dossiers:desk_detail", code=code)


@login_required
@require_POST
def refund(request: AuthenticatedHttpRequest, txn_ref: str) -> HttpResponse:
    try:
        order = selectors.order_get_for_staff(user=request.user, txn_ref=txn_ref)
        services.order_refund(order=order, actor=request.user, reason=request.POST.get("reason", ""))
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã hoàn phí giao dịch %(ref)s.") % {"ref": txn_ref})
    return redirect(request.POST.get("next") or reverse("payments:reconcile"))


def _operator_only(request: AuthenticatedHttpRequest) -> None:
    try:
        selectors.require_payment_operator(request.user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc


@login_required
def reconcile_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    _operator_only(request)
    raw = request.GET.get("date") or (clock.local_today() - dt.timedelta(days=1)).isoformat()
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        day = clock.local_today()
    report, error = None, ""
    try:
        report = reconcile.reconcile_day(day)
    except ApplicationError as exc:
        error = exc.message
    return render(
        request,
        "payments/reconcile.html",
        {
            "day": day,
            "report": report,
            "error": error,
            "refundable": selectors.refundable_orders(user=request.user),
        },
    )


@login_required
@require_POST
def reconcile_resolve(request: AuthenticatedHttpRequest) -> HttpResponse:
    _operator_only(request)
    try:
        reconcile.item_resolve(
            day=dt.date.fromisoformat(request.POST.get("date", "")),
            txn_ref=request.POST.get("txn_ref", ""),
            kind=request.POST.get("kind", ""),
            action=request.POST.get("action", ""),
            note=request.POST.get("note", ""),
            actor=request.user,
        )
    except ValueError:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã xử lý chênh lệch."))
    return redirect(f"{reverse('payments:reconcile')}?date={request.POST.get('date', '')}")
