"""Every change of money state: opening an order, the platform's notification (IPN), counter payments,
refunds and expiry. Each runs in one transaction that locks the order row (``select_for_update``) and
appends to the ledger (``PaymentEvent``); amounts are integers in đồng. Only a notification whose
signature, order and amount check marks an online order paid — never the payer's browser.

Lock order (docs/payments.md, "Lock order"): **the dossier row first, then the order row**, then the
receipt register (``receipts``). A path may skip a level but never takes a row of a level above one it
holds: two transactions on one dossier that took them in opposite orders would deadlock on PostgreSQL.
Paths that start from an order (the notification, refund, expiry, reconciliation) find its dossier
without a lock, lock the dossier, then lock the order and read its state again (``order_lock``)."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BigIntegerField
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from motcua.core import clock
from motcua.core.errors import ApplicationError, ConflictError, NotFoundError, ValidationFailedError
from motcua.core.statements import InsertChain, Sql, assign
from motcua.dossiers.changes import dossier_changed, dossier_mark_rows
from motcua.dossiers.events import (
    dossier_event_build,
    dossier_event_record,
    dossier_event_save,
    events_written,
)
from motcua.dossiers.fee_terms import DUE_ON_SUBMISSION
from motcua.dossiers.models import Dossier, DossierFee, PaymentStatus
from motcua.dossiers.transitions import dossier_transition, require_clerk_at
from motcua.dossiers.workflow import Actor, DossierStatus, TimelineAction
from motcua.payments.models import (
    EventKind,
    OrderStatus,
    PaymentChannel,
    PaymentEvent,
    PaymentOrder,
)
from motcua.payments.providers import Notification, ProviderUnavailableError, provider
from motcua.payments.receipts import receipts_soon

if TYPE_CHECKING:
    from motcua.accounts.models import User

logger = logging.getLogger(__name__)

# Answers of the notification endpoint (the protocol's RspCode).
RSP_CONFIRMED = "00"
RSP_ORDER_NOT_FOUND = "01"
RSP_ALREADY_CONFIRMED = "02"
RSP_WRONG_AMOUNT = "04"
RSP_BAD_HASH = "97"
RSP_MESSAGES = {
    RSP_CONFIRMED: "Confirm Success",
    RSP_ORDER_NOT_FOUND: "Order not found",
    RSP_ALREADY_CONFIRMED: "Order already confirmed",
    RSP_WRONG_AMOUNT: "Invalid amount",
    RSP_BAD_HASH: "Invalid signature",
}
# Dossiers whose fee goes back to the payer.
REFUNDABLE_DOSSIER_STATES = frozenset(
    {DossierStatus.REFUSED, DossierStatus.REFUSED_AT_INTAKE, DossierStatus.WITHDRAWN, DossierStatus.STOPPED}
)
COUNTER_CHANNELS = {"cash": PaymentChannel.COUNTER_CASH, "card": PaymentChannel.COUNTER_CARD}


def _event(order: PaymentOrder | None, kind: str, **fields: Any) -> PaymentEvent:
    """Append a ledger row (the fields of ``_event_build``)."""
    event = _event_build(order, kind, **fields)
    event.save(force_insert=True)
    return event


def _event_build(
    order: PaymentOrder | None,
    kind: str,
    *,
    amount: int = 0,
    from_status: str = "",
    to_status: str = "",
    actor: User | None = None,
    data: dict[str, Any] | None = None,
) -> PaymentEvent:
    """The ledger row, not yet saved (``_event`` saves it; the one-statement path inserts it)."""
    return PaymentEvent(
        order=order,
        kind=kind,
        amount=amount,
        from_status=from_status,
        to_status=to_status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        data=data or {},
        at=clock.now(),
    )


def _due_sql(dossier: Dossier) -> RawSQL:
    """What is still due on the dossier, as one SQL expression (negative when overpaid): the fee lines due
    now (on submission; the obligation lines too once the financial obligation was asked) less the orders
    paid (a refunded order is no longer paid). One expression serves the read (``amount_due``) and the
    conditional UPDATE that marks the dossier paid (``_dossier_paid``): one statement each, not three."""
    return RawSQL(  # noqa: S611 — constant SQL (our table names), every value a parameter
        _DUE_SQL, _due_params(dossier), BigIntegerField()
    )


def _due_params(dossier: Dossier) -> tuple[Any, ...]:
    obligation = dossier.status == DossierStatus.AWAITING_PAYMENT
    return (dossier.pk, obligation, DUE_ON_SUBMISSION, dossier.pk, OrderStatus.PAID)


_DUE_SQL = (
    f"COALESCE((SELECT SUM(f.amount) FROM {DossierFee._meta.db_table} f"  # noqa: S608 — table names are ours
    " WHERE f.dossier_id = %s AND (%s OR f.due = %s)), 0)"
    f" - COALESCE((SELECT SUM(o.amount) FROM {PaymentOrder._meta.db_table} o"
    " WHERE o.dossier_id = %s AND o.status = %s), 0)"
)


def amount_due(dossier: Dossier) -> int:
    """What the applicant owes now: the lines due now (on submission; the obligation lines once the
    financial obligation was asked), less what paid orders already brought in net of refunds."""
    due = Dossier.objects.filter(pk=dossier.pk).annotate(due=_due_sql(dossier)).values_list("due", flat=True)
    return max(int(due.get() or 0), 0)


def _lines(dossier: Dossier) -> list[dict[str, Any]]:
    return [
        {"name": f.name, "amount": int(f.amount), "basis": f.basis}
        for f in dossier.fees.all()
        if int(f.amount) > 0
    ]


def _txn_ref() -> str:
    # Letters and digits only (the protocol's vnp_TxnRef), unguessable, unique per order.
    return f"MC{clock.local_now():%y%m%d}{secrets.token_hex(6).upper()}"


def order_lock(**lookup: Any) -> tuple[Dossier, PaymentOrder] | None:
    """Lock the dossier of the order matching ``lookup`` (``txn_ref=…`` or ``pk=…``), then the order, in
    the caller's transaction; ``None`` when there is no such order. The dossier is found through the order
    without locking it (an order never changes dossier), in the same statement that locks the dossier
    (``FOR UPDATE OF`` the dossier only); the order is then read under its lock, after any transaction
    that held the dossier has committed, so its state is the current one."""
    # ``get`` (not ``first``): no ORDER BY to build or run — txn_ref and pk are unique. Only the columns
    # money paths read are loaded (a dossier has some fifty): any other field is fetched when read.
    try:
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            .only("id", "code", "status", "payment_status")
            .get(**{f"payment_orders__{key}": value for key, value in lookup.items()})
        )
        order = PaymentOrder.objects.select_for_update().get(dossier_id=dossier.pk, **lookup)
    except (Dossier.DoesNotExist, PaymentOrder.DoesNotExist):
        return None
    order.dossier = dossier
    return dossier, order


def order_open(*, dossier: Dossier, payer: User | None) -> PaymentOrder:
    """The order the payer is sent to pay: an open one of the same amount is reused (a second click
    must not take the money twice), otherwise a new one valid ``MOTCUA_PAYMENT_ORDER_MINUTES``."""
    prov = provider()
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if dossier.payment_status not in (PaymentStatus.DUE,):
            raise ConflictError(_("Hồ sơ không có khoản phí nào phải nộp."), {"code": dossier.code})
        amount = amount_due(dossier)
        if amount <= 0:
            raise ConflictError(_("Hồ sơ không có khoản phí nào phải nộp."), {"code": dossier.code})
        now = clock.now()
        open_order = (
            PaymentOrder.objects.select_for_update()
            .filter(dossier=dossier, status=OrderStatus.PENDING, amount=amount, expires_at__gt=now)
            .first()
        )
        if open_order is not None:
            return open_order
        order = PaymentOrder.objects.create(
            dossier=dossier,
            txn_ref=_txn_ref(),
            amount=amount,
            channel=prov.channel,
            provider=prov.code,
            lines=_lines(dossier),
            payer_name=dossier.applicant_name,
            created_by=payer if getattr(payer, "is_authenticated", False) else None,
            created_at=now,
            expires_at=now + timedelta(minutes=settings.MOTCUA_PAYMENT_ORDER_MINUTES),
        )
        _event(
            order, EventKind.CREATED, to_status=OrderStatus.PENDING, actor=payer, data={"provider": prov.code}
        )
    return order


@dataclass(frozen=True)
class NotificationResult:
    code: str
    order: PaymentOrder | None = None

    @property
    def body(self) -> dict[str, str]:
        return provider().notification_answer(self.code, RSP_MESSAGES[self.code])


def notification_handle(params: dict[str, str]) -> NotificationResult:
    """The platform's server-to-server notification (IPN): check the signature, the order and the amount,
    then — in one transaction under the order's row lock — record the outcome once. A replay or a second
    notification at the same time finds the order settled and is answered "already confirmed"."""
    note = provider().notification_verify(params)
    if note is None:
        _event(None, EventKind.NOTIFICATION_REJECTED, data={"reason": "bad_hash", "params": _safe(params)})
        return NotificationResult(RSP_BAD_HASH)
    with transaction.atomic():
        locked = order_lock(txn_ref=note.txn_ref)
        if locked is None:
            _event(None, EventKind.NOTIFICATION_REJECTED, data={"reason": "order_not_found", **note.raw})
            return NotificationResult(RSP_ORDER_NOT_FOUND)
        dossier, order = locked
        if note.amount != order.amount:
            _event(
                order,
                EventKind.NOTIFICATION_REJECTED,
                data={"reason": "wrong_amount", "notified": note.amount, **note.raw},
            )
            return NotificationResult(RSP_WRONG_AMOUNT, order)
        if order.status in (OrderStatus.PAID, OrderStatus.REFUNDED) or (
            order.status == OrderStatus.FAILED and not note.success
        ):
            _event(order, EventKind.NOTIFICATION_REJECTED, data={"reason": "already_confirmed", **note.raw})
            return NotificationResult(RSP_ALREADY_CONFIRMED, order)
        if note.success:
            _mark_paid(order, note, dossier=dossier)
        else:
            from_status = order.status
            order.status = OrderStatus.FAILED
            order.provider_txn_no = note.provider_txn_no
            order.save(update_fields=["status", "provider_txn_no"])
            _event(order, EventKind.FAILED, from_status=from_status, to_status=order.status, data=note.raw)
    return NotificationResult(RSP_CONFIRMED, order)


def _safe(params: dict[str, str]) -> dict[str, str]:
    return {k[:40]: str(v)[:200] for k, v in list(params.items())[:40]}


def _mark_paid(order: PaymentOrder, note: Notification, *, dossier: Dossier) -> None:
    """Inside the caller's transaction, with the dossier and then the order locked (``order_lock``). A
    payment that arrives after the order expired is still money taken: it is recorded paid (``late``), and
    refunded if the dossier no longer needs it (the operator sees it)."""
    from_status = order.status
    order.status = OrderStatus.PAID
    order.paid_at = clock.now()
    order.provider_txn_no = note.provider_txn_no
    order.bank_code = note.bank_code
    ledger = _event_build(
        order,
        EventKind.PAID,
        amount=order.amount,
        from_status=from_status,
        to_status=OrderStatus.PAID,
        data={**note.raw, "late": from_status != OrderStatus.PENDING},
    )
    if _paid_in_one_statement(dossier):
        _mark_paid_in_one_statement(order, ledger, dossier=dossier)
        return
    order.save(update_fields=PAID_ORDER_FIELDS)
    ledger.save(force_insert=True)
    _dossier_paid(order, dossier=dossier, actor=None, actor_role=Actor.SYSTEM)


PAID_ORDER_FIELDS = ["status", "paid_at", "provider_txn_no", "bank_code"]


def _paid_in_one_statement(dossier: Dossier) -> bool:
    """PostgreSQL, and a dossier whose payment does not resume its legal clock (that transition reads
    and writes much more: the ORM path does it)."""
    return connection.vendor == "postgresql" and dossier.status != DossierStatus.AWAITING_PAYMENT


def _paid_values(order: PaymentOrder) -> dict[str, Any]:
    """What the dossier records once nothing is left due (both paths)."""
    return {
        "payment_status": PaymentStatus.PAID,
        "paid_online": order.channel in (PaymentChannel.ONLINE_NATIONAL, PaymentChannel.ONLINE_PROVINCE),
        "payment_channel": order.channel,
        "updated_at": clock.now(),  # what auto_now would set on save()
    }


def _fee_paid_event(order: PaymentOrder, dossier: Dossier, **actor: Any) -> Any:
    return dossier_event_build(
        dossier=dossier,
        action=TimelineAction.FEE_PAID,
        from_status=dossier.status,
        to_status=dossier.status,
        data={"txn_ref": order.txn_ref, "amount": order.amount, "channel": order.channel},
        **actor,
    )


_DOSSIER_PAID = "EXISTS (SELECT 1 FROM d)"  # the dossier's UPDATE (CTE ``d``) found nothing left due


def _mark_paid_in_one_statement(order: PaymentOrder, ledger: PaymentEvent, *, dossier: Dossier) -> None:
    """PostgreSQL: the rows of the ORM path (``order.save``, the ledger row, ``_dossier_paid``) in one
    statement of data-modifying CTEs, under the locks ``order_lock`` took: the order updated, the ledger
    row, the dossier marked paid if nothing is left due, and then only the ``fee_paid`` timeline event and
    the IOC's stale mark (``dossiers.changes``). Four round trips fewer on the hottest write path (the
    notification, docs/payments.md "Cost of a notification"). The sub-statements share one snapshot, in
    which this order is not yet paid: what is still due is computed less its amount. A test compares the
    rows of both paths (``test_notification_statement.py``)."""
    chain = InsertChain()
    order_sets = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in PAID_ORDER_FIELDS)
    chain.with_query(
        "o",
        f"UPDATE {PaymentOrder._meta.db_table} SET {order_sets} WHERE id = %s",  # noqa: S608 — our names
        [*(getattr(order, name) for name in PAID_ORDER_FIELDS), order.pk],
    )
    chain.insert("ledger", [ledger], returning=())
    paid = _paid_values(order)
    dossier_sets = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in paid)
    chain.with_query(
        "d",
        f"UPDATE {Dossier._meta.db_table} SET {dossier_sets} WHERE id = %s AND {_DUE_SQL} - %s <= 0"  # noqa: S608
        " RETURNING id",
        [*paid.values(), dossier.pk, *_due_params(dossier), order.amount],
    )
    event = _fee_paid_event(order, dossier, actor=None, actor_role=Actor.SYSTEM, actor_agency=None)
    chain.insert("event", [event], returning=(), when=_DOSSIER_PAID)
    marks, conflict = dossier_mark_rows()
    for number, mark in enumerate(marks):
        assign(mark, "dossier_id", Sql("(SELECT id FROM d)"))
        chain.insert(f"mark{number}", [mark], returning=(), when=_DOSSIER_PAID, conflict=conflict)
    (updated,) = chain.execute("SELECT count(*) FROM d")
    transaction.on_commit(receipts_soon)
    if updated:  # else a part of what is due (another order still open): the dossier stays as it was
        for name, value in paid.items():
            setattr(dossier, name, value)
        events_written()
        dossier_changed(dossier.pk, marked=True)


def _dossier_paid(
    order: PaymentOrder, *, dossier: Dossier, actor: User | None, actor_role: str, agency: Any = None
) -> None:
    """The dossier (locked by the caller, before the order) learns it is paid once nothing is due."""
    # The receipt is issued by the drain, woken after the commit (it reads the paid orders without one):
    # the notification writes no task row of its own (core/wake.py).
    transaction.on_commit(receipts_soon)
    # Paid once nothing is left due — checked by the UPDATE itself (one statement). The sums cannot move
    # under it: every path that marks an order of this dossier paid or refunded holds the dossier's lock.
    paid = _paid_values(order)
    updated = (
        Dossier.objects.filter(pk=dossier.pk).alias(due=_due_sql(dossier)).filter(due__lte=0).update(**paid)
    )
    if not updated:  # a part of what is due (another order still open): nothing changes yet
        return
    for name, value in paid.items():
        setattr(dossier, name, value)
    event = _fee_paid_event(order, dossier, actor=actor, actor_role=actor_role, actor_agency=agency)
    dossier_event_save(event)
    if dossier.status == DossierStatus.AWAITING_PAYMENT:
        # The financial obligation is met: the legal clock resumes (the workflow lets the system do it).
        # The transition reads much of the dossier: all of it at once (still under our lock).
        if dossier.get_deferred_fields():
            dossier = Dossier.objects.get(pk=dossier.pk)
        dossier_transition(
            dossier=dossier,
            action=TimelineAction.CONFIRM_PAYMENT,
            actor=actor,
            actor_role=actor_role,
            actor_agency=agency,
            data={"reference": order.txn_ref},
        )


def browser_return(params: dict[str, str]) -> PaymentOrder | None:
    """The payer's browser came back from the platform: show the order's state, change no money."""
    ref = params.get("vnp_TxnRef", "")
    order = PaymentOrder.objects.select_related("dossier").filter(txn_ref=ref).first()
    if order is None:
        return None
    if order.returned_at is None:
        PaymentOrder.objects.filter(pk=order.pk, returned_at__isnull=True).update(returned_at=clock.now())
        _event(
            order, EventKind.BROWSER_RETURNED, data={"response_code": params.get("vnp_ResponseCode", "")[:8]}
        )
    return order


def counter_payment_record(
    *, dossier: Dossier, clerk: User, method: str, reference: str = ""
) -> PaymentOrder:
    """Cash or card at the counter, recorded by the one-stop clerk; the same e-receipt follows."""
    if method not in COUNTER_CHANNELS:
        raise ValidationFailedError(
            _("Hình thức thanh toán không hợp lệ."), {"fields": {"method": "invalid"}}
        )
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        agency = require_clerk_at(dossier, clerk)
        amount = amount_due(dossier) if dossier.payment_status == PaymentStatus.DUE else 0
        if amount <= 0:
            raise ConflictError(_("Hồ sơ không có khoản phí nào phải nộp."), {"code": dossier.code})
        now = clock.now()
        order = PaymentOrder.objects.create(
            dossier=dossier,
            txn_ref=_txn_ref(),
            amount=amount,
            channel=COUNTER_CHANNELS[method],
            provider="counter",
            provider_txn_no=reference.strip()[:64],
            lines=_lines(dossier),
            payer_name=dossier.applicant_name,
            created_by=clerk,
            created_at=now,
            paid_at=now,
            status=OrderStatus.PAID,
        )
        _event(order, EventKind.CREATED, to_status=OrderStatus.PENDING, actor=clerk)
        _event(
            order,
            EventKind.PAID,
            amount=amount,
            from_status=OrderStatus.PENDING,
            to_status=OrderStatus.PAID,
            actor=clerk,
            data={"method": method, "reference": reference.strip()[:64]},
        )
        _dossier_paid(order, dossier=dossier, actor=clerk, actor_role=Actor.ONE_STOP_CLERK, agency=agency)
    return order


def order_refund(*, order: PaymentOrder, actor: User, reason: str) -> PaymentOrder:
    """Return the whole fee of a refused, withdrawn or stopped dossier (or a second payment of one
    dossier). Online: the platform must accept first; if it does not answer nothing changes here."""
    if not reason.strip():
        raise ValidationFailedError(_("Vui lòng nêu lý do hoàn phí."), {"fields": {"reason": "required"}})
    with transaction.atomic():
        locked = order_lock(pk=order.pk)
        if locked is None:
            raise NotFoundError(_("Không tìm thấy giao dịch."), {"txn_ref": order.txn_ref})
        dossier, order = locked
        if order.status != OrderStatus.PAID:
            raise ConflictError(_("Chỉ hoàn được giao dịch đã thanh toán."), {"txn_ref": order.txn_ref})
        duplicate = (
            PaymentOrder.objects.filter(dossier=order.dossier, status=OrderStatus.PAID)
            .exclude(pk=order.pk)
            .exists()
        )
        if order.dossier.status not in REFUNDABLE_DOSSIER_STATES and not duplicate:
            raise ConflictError(
                _("Chỉ hoàn phí cho hồ sơ bị từ chối, rút hoặc dừng xử lý, hoặc khoản nộp trùng."),
                {"txn_ref": order.txn_ref},
            )
        amount = order.amount - order.refunded_amount
        if order.channel in (PaymentChannel.ONLINE_NATIONAL, PaymentChannel.ONLINE_PROVINCE):
            try:
                accepted = provider().refund(order=order, amount=amount, actor=actor.get_username())
            except ProviderUnavailableError as exc:
                raise ApplicationError(
                    _("Cổng thanh toán không phản hồi; chưa hoàn phí, vui lòng thử lại sau."),
                    {"txn_ref": order.txn_ref},
                ) from exc
            if not accepted:
                raise ConflictError(
                    _("Cổng thanh toán từ chối yêu cầu hoàn phí."), {"txn_ref": order.txn_ref}
                )
        order.status = OrderStatus.REFUNDED
        order.refunded_amount = order.amount
        order.save(update_fields=["status", "refunded_amount"])
        _event(
            order,
            EventKind.REFUNDED,
            amount=-amount,
            from_status=OrderStatus.PAID,
            to_status=OrderStatus.REFUNDED,
            actor=actor,
            data={"reason": reason.strip()[:500], "duplicate": duplicate},
        )
        dossier_event_record(
            dossier=dossier,
            action=TimelineAction.FEE_REFUNDED,
            actor=actor,
            actor_role=Actor.ONE_STOP_CLERK,
            actor_agency=None,
            from_status=dossier.status,
            to_status=dossier.status,
            reason=reason.strip()[:500],
            data={"txn_ref": order.txn_ref, "amount": amount},
        )
    return order


def orders_expire(*, grace: timedelta = timedelta(minutes=5)) -> dict[str, int]:
    """Close online orders left unpaid past their expiry (scheduler). The platform is asked first: an
    order it reports paid (a notification that never came) is recorded paid; while it does not answer
    the order stays open — an order is never expired on a guess."""
    counts = {"expired": 0, "paid": 0, "unknown": 0}
    cutoff = clock.now() - grace
    prov = provider()
    for order in PaymentOrder.objects.filter(
        status=OrderStatus.PENDING, provider=prov.code, expires_at__lt=cutoff
    ).select_related("dossier")[:500]:
        try:
            state = prov.query(order=order)
        except ProviderUnavailableError:
            counts["unknown"] += 1
            continue
        with transaction.atomic():
            both = order_lock(pk=order.pk)
            if both is None:  # pragma: no cover - orders are never deleted
                continue
            dossier, locked = both
            if locked.status != OrderStatus.PENDING:
                continue
            if state.paid and state.amount == locked.amount:
                _mark_paid(
                    locked,
                    Notification(
                        txn_ref=locked.txn_ref,
                        amount=state.amount,
                        success=True,
                        provider_txn_no=state.provider_txn_no,
                        raw={"source": "querydr"},
                    ),
                    dossier=dossier,
                )
                counts["paid"] += 1
            else:
                locked.status = OrderStatus.EXPIRED
                locked.save(update_fields=["status"])
                _event(
                    locked,
                    EventKind.EXPIRED,
                    from_status=OrderStatus.PENDING,
                    to_status=OrderStatus.EXPIRED,
                    data={"platform_status": state.status, "found": state.found},
                )
                counts["expired"] += 1
    return counts


def order_get_for_applicant(*, user: User, txn_ref: str) -> PaymentOrder:
    order = (
        PaymentOrder.objects.select_related("dossier")
        .filter(txn_ref=txn_ref, dossier__applicant_user=user)
        .first()
    )
    if order is None:
        raise NotFoundError(_("Không tìm thấy giao dịch."), {"txn_ref": txn_ref})
    return order


def fee_exemption_apply(*, dossier: Dossier, clerk: User, category: str) -> Dossier:
    """The clerk, having seen the proof, applies the exemptions or reductions the law gives a policy
    beneficiary (``FeeRule.beneficiary_category``) to a dossier not yet paid: its fee lines are computed
    again with that category, each with its legal basis, and the payment status follows."""
    from motcua.dossiers.fee_terms import fee_terms
    from motcua.dossiers.models import DossierFee

    category = category.strip()
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        agency = require_clerk_at(dossier, clerk)
        orders = PaymentOrder.objects.filter(
            dossier=dossier, status__in=[OrderStatus.PAID, OrderStatus.PENDING]
        )
        if orders.exists():
            raise ConflictError(
                _("Hồ sơ đã có giao dịch thanh toán; hãy hoàn phí hoặc chờ giao dịch hết hạn trước."),
                {"code": dossier.code},
            )
        day = (dossier.submitted_at or clock.now()).astimezone(clock.VIETNAM_TZ).date()
        before = [(f.name, int(f.amount)) for f in dossier.fees.all()]
        lines = fee_terms().lines(
            version=dossier.procedure_version, channel=dossier.channel, on=day, beneficiary=category
        )
        if not category or [(x.name, x.amount) for x in lines] == before:
            raise ValidationFailedError(
                _("Không có quy định miễn, giảm phí, lệ phí cho đối tượng này."),
                {"fields": {"category": "none"}},
            )
        dossier.fees.all().delete()
        DossierFee.objects.bulk_create(
            DossierFee(
                dossier=dossier,
                name=x.name,
                amount=x.amount,
                base_amount=x.base_amount,
                exempt=x.base_amount > 0 and x.amount == 0,
                basis=x.basis,
                due=x.due,
            )
            for x in lines
        )
        due_now = [
            x for x in lines if x.due == DUE_ON_SUBMISSION or dossier.status == DossierStatus.AWAITING_PAYMENT
        ]
        if any(x.amount > 0 for x in due_now):
            dossier.payment_status = PaymentStatus.DUE
        elif any(x.base_amount > 0 and x.amount == 0 for x in lines):
            dossier.payment_status = PaymentStatus.EXEMPT
        else:
            dossier.payment_status = PaymentStatus.NOT_REQUIRED
        dossier.save(update_fields=["payment_status", "updated_at"])
        dossier_event_record(
            dossier=dossier,
            action=TimelineAction.FEE_EXEMPTION,
            actor=clerk,
            actor_role=Actor.ONE_STOP_CLERK,
            actor_agency=agency,
            from_status=dossier.status,
            to_status=dossier.status,
            data={
                "category": category,
                "lines": [{"name": x.name, "amount": x.amount, "basis": x.basis} for x in lines],
            },
        )
    return dossier
