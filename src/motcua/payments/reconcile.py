"""The daily reconciliation: our ledger against the platform's settlement file for one day (Vietnam
time). Each payment and refund is keyed by (order reference, kind); a key on both sides with the same
amount is matched, otherwise it is ours only, theirs only, or an amount mismatch. Differences are listed
with any resolution an operator recorded (``item_resolve``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from motcua.core import clock
from motcua.core.errors import ApplicationError, ConflictError, ValidationFailedError
from motcua.payments.models import EventKind, OrderStatus, PaymentEvent, PaymentOrder, Resolution
from motcua.payments.providers import Notification, ProviderUnavailableError, SettlementItem, provider

if TYPE_CHECKING:
    from motcua.accounts.models import User

MATCHED, OURS_ONLY, THEIRS_ONLY, AMOUNT_MISMATCH = "matched", "ours_only", "theirs_only", "amount_mismatch"


@dataclass
class Item:
    txn_ref: str
    kind: str
    status: str
    ours: int | None
    theirs: int | None
    resolution: dict[str, str] | None = None


@dataclass
class Report:
    date: str
    matched: int = 0
    ours_only: int = 0
    theirs_only: int = 0
    amount_mismatch: int = 0
    items: list[Item] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=clock.VIETNAM_TZ)
    return start, start + dt.timedelta(days=1)


def ours_for_day(day: dt.date, provider_code: str) -> dict[tuple[str, str], int]:
    start, end = _bounds(day)
    ours: dict[tuple[str, str], int] = {}
    for ref, amount in PaymentOrder.objects.filter(
        provider=provider_code,
        paid_at__gte=start,
        paid_at__lt=end,
        status__in=[OrderStatus.PAID, OrderStatus.REFUNDED],
    ).values_list("txn_ref", "amount"):
        ours[(ref, "payment")] = ours.get((ref, "payment"), 0) + amount
    for ref, amount in PaymentEvent.objects.filter(
        kind=EventKind.REFUNDED, order__provider=provider_code, at__gte=start, at__lt=end
    ).values_list("order__txn_ref", "amount"):
        ours[(ref, "refund")] = ours.get((ref, "refund"), 0) - amount
    return ours


def compare(day: dt.date, ours: dict[tuple[str, str], int], theirs_items: list[SettlementItem]) -> Report:
    theirs: dict[tuple[str, str], int] = {}
    for item in theirs_items:
        key = (item.txn_ref, item.kind)
        theirs[key] = theirs.get(key, 0) + item.amount
    report = Report(date=day.isoformat())
    for key, amount in ours.items():
        other = theirs.get(key)
        if other is None:
            report.ours_only += 1
            report.items.append(Item(key[0], key[1], OURS_ONLY, amount, None))
        elif other != amount:
            report.amount_mismatch += 1
            report.items.append(Item(key[0], key[1], AMOUNT_MISMATCH, amount, other))
        else:
            report.matched += 1
    for key, amount in theirs.items():
        if key not in ours:
            report.theirs_only += 1
            report.items.append(Item(key[0], key[1], THEIRS_ONLY, None, amount))
    report.items.sort(key=lambda i: (i.status, i.txn_ref, i.kind))
    return report


def reconcile_day(day: dt.date) -> Report:
    prov = provider()
    try:
        theirs = prov.settlement(day=day)
    except ProviderUnavailableError as exc:
        raise ApplicationError(
            _("Không tải được tệp đối soát của cổng thanh toán: %(error)s") % {"error": exc},
            {"date": str(day)},
        ) from exc
    report = compare(day, ours_for_day(day, prov.code), theirs)
    resolved = {
        (r.txn_ref, r.kind): {
            "action": r.action,
            "note": r.note,
            "by": r.actor.get_username(),
            "at": r.at.isoformat(),
        }
        for r in Resolution.objects.filter(day=day).select_related("actor")
    }
    for item in report.items:
        item.resolution = resolved.get((item.txn_ref, item.kind))
    return report


def item_resolve(*, day: dt.date, txn_ref: str, kind: str, action: str, note: str, actor: User) -> Resolution:
    """Record how a difference was settled. ``apply`` takes the platform's record for a payment it has
    and we do not (a notification that never came): the platform is asked (``querydr``) and the order is
    marked paid under its lock. ``note`` records an explanation (e.g. settled with the bank)."""
    if action not in ("apply", "note") or kind not in ("payment", "refund"):
        raise ValidationFailedError(_("Cách xử lý không hợp lệ."), {"fields": {"action": "invalid"}})
    if action == "note" and not note.strip():
        raise ValidationFailedError(_("Vui lòng ghi nội dung xử lý."), {"fields": {"note": "required"}})
    from motcua.payments.services import _mark_paid, order_lock

    with transaction.atomic():
        # The dossier first, then the order: the lock order of every money path (services).
        locked = order_lock(txn_ref=txn_ref)
        order = None if locked is None else locked[1]
        if action == "apply":
            if order is None or kind != "payment":
                raise ConflictError(_("Không có giao dịch của hệ thống để ghi nhận."), {"txn_ref": txn_ref})
            if order.status not in (OrderStatus.PENDING, OrderStatus.EXPIRED, OrderStatus.FAILED):
                raise ConflictError(_("Giao dịch đã được ghi nhận."), {"txn_ref": txn_ref})
            try:
                state = provider().query(order=order)
            except ProviderUnavailableError as exc:
                raise ApplicationError(_("Cổng thanh toán không phản hồi."), {"txn_ref": txn_ref}) from exc
            if not state.paid or state.amount != order.amount:
                raise ConflictError(
                    _("Cổng thanh toán không xác nhận khoản thanh toán này."), {"txn_ref": txn_ref}
                )
            _mark_paid(
                order,
                Notification(
                    txn_ref=txn_ref,
                    amount=state.amount,
                    success=True,
                    provider_txn_no=state.provider_txn_no,
                    raw={"source": "reconciliation"},
                ),
                dossier=order.dossier,
            )
        try:
            with transaction.atomic():
                resolution = Resolution.objects.create(
                    day=day,
                    txn_ref=txn_ref[:34],
                    kind=kind,
                    action=action,
                    note=note.strip()[:2000],
                    actor=actor,
                    at=clock.now(),
                )
        except IntegrityError:
            raise ConflictError(_("Chênh lệch này đã được xử lý."), {"txn_ref": txn_ref}) from None
        PaymentEvent(
            order=order,
            kind=EventKind.RECONCILED,
            actor=actor,
            data={
                "day": day.isoformat(),
                "txn_ref": txn_ref[:34],
                "kind": kind,
                "action": action,
                "note": note[:500],
            },
            at=clock.now(),
        ).save(force_insert=True)
    return resolution
