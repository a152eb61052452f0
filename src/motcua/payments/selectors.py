"""Reads: the applicant's payment summary, receipts and orders as the caller may see them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from motcua.core.errors import NotFoundError, PermissionDeniedError
from motcua.dossiers.models import Dossier, PaymentStatus
from motcua.dossiers.selectors import officer_agency_ids
from motcua.payments.models import OrderStatus, PaymentOrder, Receipt

if TYPE_CHECKING:
    from motcua.accounts.models import User


def payment_summary(*, dossier: Dossier) -> dict[str, Any]:
    from motcua.payments.services import amount_due

    due = amount_due(dossier) if dossier.payment_status == PaymentStatus.DUE else 0
    orders = list(dossier.payment_orders.select_related("receipt__series").order_by("-created_at", "-pk"))
    return {
        "dossier": dossier,
        "fees": list(dossier.fees.all()),
        "amount_due": due,
        "orders": orders,
        "paid": dossier.payment_status == PaymentStatus.PAID,
    }


def require_payment_operator(user: User) -> None:
    if not (user.is_authenticated and user.has_perm("payments.reconcile_payments")):
        raise PermissionDeniedError(_("Chỉ cán bộ được giao đối soát mới xem được trang này."))


def _orders_for_staff(user: User) -> QuerySet[PaymentOrder]:
    if user.has_perm("payments.reconcile_payments"):
        return PaymentOrder.objects.all()
    agencies = officer_agency_ids(user=user)
    return PaymentOrder.objects.filter(
        Q(dossier__receiving_agency_id__in=agencies) | Q(dossier__helped_at_id__in=agencies)
    )


def order_get_for_staff(*, user: User, txn_ref: str) -> PaymentOrder:
    order = _orders_for_staff(user).select_related("dossier").filter(txn_ref=txn_ref).first()
    if order is None:
        raise NotFoundError(_("Không tìm thấy giao dịch."), {"txn_ref": txn_ref})
    return order


def receipt_get(*, user: User, txn_ref: str) -> Receipt:
    """The applicant's own receipt, or one of a dossier the officer may see."""
    mine = Q(order__dossier__applicant_user=user)
    staff = (
        Q(order__in=_orders_for_staff(user))
        if officer_agency_ids(user=user) or user.has_perm("payments.reconcile_payments")
        else Q(pk__in=[])
    )
    receipt = (
        Receipt.objects.select_related("series", "order").filter(mine | staff, order__txn_ref=txn_ref).first()
    )
    if receipt is None:
        raise NotFoundError(_("Không tìm thấy biên lai."), {"txn_ref": txn_ref})
    return receipt


def refundable_orders(*, user: User) -> list[PaymentOrder]:
    from motcua.payments.services import REFUNDABLE_DOSSIER_STATES

    return list(
        _orders_for_staff(user)
        .filter(status=OrderStatus.PAID, dossier__status__in=REFUNDABLE_DOSSIER_STATES)
        .select_related("dossier")[:200]
    )
