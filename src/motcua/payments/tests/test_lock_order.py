"""The lock order of money paths (docs/payments.md, "Lock order"): the dossier row first, then the order row.
Two transactions on one dossier that took them in opposite orders would each hold the row the other
waits for; PostgreSQL would then abort one with a deadlock error (after ``deadlock_timeout``).

The tests force the dangerous interleaving: each thread, once its first ``FOR UPDATE`` statement has
returned, waits until the other thread has taken its own first row lock (or is blocked waiting for one).
In the old order (the notification locked the order, then the dossier) both threads got their first row
and each then asked for the other's: a deadlock every time. In the documented order the second thread's
first lock already waits for the first thread, which goes on and commits."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection

from motcua.core import clock
from motcua.core.errors import ConflictError
from motcua.core.testing import run_concurrently
from motcua.dossiers.models import Dossier, DossierEvent, PaymentStatus
from motcua.dossiers.workflow import DossierStatus, TimelineAction
from motcua.payments import reconcile, services
from motcua.payments.models import EventKind, OrderStatus, PaymentEvent, PaymentOrder
from motcua.payments.tests.helpers import decide, open_at_platform, submitted

pytestmark = pytest.mark.django_db(transaction=True)


class FirstLockGate:
    """Holds each of two threads after its first row lock until the other has one too (or waits for one)."""

    def __init__(self) -> None:
        self.held = [threading.Event(), threading.Event()]
        self.pids: list[int | None] = [None, None]

    @contextmanager
    def armed(self, me: int) -> Iterator[None]:
        connection.ensure_connection()
        self.pids[me] = connection.connection.info.backend_pid  # type: ignore[union-attr]

        def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
            result = execute(sql, params, many, context)
            if "FOR UPDATE" in sql and not self.held[me].is_set():
                self.held[me].set()
                self._wait_for_other(me)
            return result

        with connection.execute_wrapper(wrapper):
            yield

    def _wait_for_other(self, me: int) -> None:
        other = 1 - me
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.held[other].is_set():
                return
            pid = self.pids[other]
            if pid is not None:
                # pg_locks is read live (pg_stat_activity would be a snapshot for the transaction).
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted", [pid])
                    if cursor.fetchone() is not None:
                        return  # the other thread waits for a row we hold: it took the locks in our order
            time.sleep(0.01)
        raise AssertionError("the other thread neither locked a row nor waited for one")


def _race(first: Callable[[], Any], second: Callable[[], Any]) -> tuple[list[Any], list[BaseException]]:
    gate = FirstLockGate()
    results: list[Any] = [None, None]

    def work(index: int) -> None:
        with gate.armed(index):
            try:
                results[index] = (first, second)[index]()
            except ConflictError as exc:  # a legitimate answer (e.g. nothing left to pay), not a fault
                results[index] = exc

    errors = run_concurrently(work, threads=2)
    return results, errors


@pytest.fixture
def on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks and deadlocks are real on PostgreSQL only (scripts/with-postgres)")


def _paid_once(order: PaymentOrder) -> None:
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert PaymentEvent.objects.filter(order=order, kind=EventKind.PAID).count() == 1
    dossier = Dossier.objects.get(pk=order.dossier_id)
    assert dossier.payment_status == PaymentStatus.PAID
    assert DossierEvent.objects.filter(dossier=dossier, action=TimelineAction.FEE_PAID).count() == 1


def test_the_payer_clicks_pay_again_while_the_notification_arrives(
    on_postgresql, citizen_an, fee_version, platform, frozen
) -> None:
    dossier = submitted(fee_version, citizen_an)
    order = services.order_open(dossier=dossier, payer=citizen_an)
    open_at_platform(platform, order)
    params = decide(platform, order, "pay")

    results, errors = _race(
        lambda: services.order_open(dossier=dossier, payer=citizen_an),
        lambda: services.notification_handle(params).code,
    )

    assert errors == [], f"deadlock or other fault: {errors!r}"
    reopened, code = results
    assert code == services.RSP_CONFIRMED
    # Either the click came first (the same open order, reused) or the payment did (nothing left to pay).
    assert isinstance(reopened, ConflictError) or reopened.pk == order.pk
    assert PaymentOrder.objects.filter(dossier=dossier).count() == 1
    _paid_once(order)


def test_the_payer_clicks_pay_again_while_an_operator_takes_the_platforms_record(
    on_postgresql, citizen_an, clerk_binh, fee_version, platform, frozen
) -> None:
    """Reconciliation's "apply" (the notification never came, the platform says paid) against a second click
    on *pay* for the same dossier."""
    dossier = submitted(fee_version, citizen_an)
    order = services.order_open(dossier=dossier, payer=citizen_an)
    open_at_platform(platform, order)
    decide(platform, order, "pay")  # paid at the platform; no notification reaches us

    results, errors = _race(
        lambda: services.order_open(dossier=dossier, payer=citizen_an),
        lambda: reconcile.item_resolve(
            day=clock.local_today(),
            txn_ref=order.txn_ref,
            kind="payment",
            action="apply",
            note="",
            actor=clerk_binh,
        ),
    )

    assert errors == [], f"deadlock or other fault: {errors!r}"
    reopened, resolution = results
    assert resolution.action == "apply"
    assert isinstance(reopened, ConflictError) or reopened.pk == order.pk
    assert PaymentOrder.objects.filter(dossier=dossier).count() == 1
    _paid_once(order)


def test_a_refund_while_the_receipt_job_runs(
    on_postgresql, citizen_an, clerk_binh, fee_version, platform, frozen
) -> None:
    """The receipt job locks the order alone: its lock over the join used to take the dossier after the
    order, and a refund (dossier, then order) begun a moment earlier deadlocked with it."""
    from motcua.payments.receipts import receipt_issue

    dossier = submitted(fee_version, citizen_an)
    order = services.order_open(dossier=dossier, payer=citizen_an)
    open_at_platform(platform, order)
    assert services.notification_handle(decide(platform, order, "pay")).code == services.RSP_CONFIRMED
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.WITHDRAWN)

    def receipt() -> Any:
        time.sleep(0.3)  # the refund holds the dossier first
        return receipt_issue(order_id=order.pk)

    results, errors = _race(
        lambda: services.order_refund(order=order, actor=clerk_binh, reason="Rút hồ sơ"), receipt
    )

    assert errors == [], f"deadlock or other fault: {errors!r}"
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert results[1] is not None
    assert results[1].order_id == order.pk
    assert PaymentEvent.objects.filter(order=order, kind=EventKind.REFUNDED).count() == 1
