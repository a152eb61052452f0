"""Receipts are issued by a drain that reads the paid orders without one, woken after the payment's commit
(core/wake.py): many payments in a short time share one queued drain instead of writing a task row each
(docs/payments.md, "Receipts"; docs/benchmarks.md, IPN)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from motcua.core import wake
from motcua.payments import services
from motcua.payments.models import PaymentOrder, Receipt
from motcua.payments.receipts import receipts_issue_pending
from motcua.payments.tasks import receipts_drain_task
from motcua.payments.tests.helpers import submitted

pytestmark = pytest.mark.django_db(transaction=True)

DRAIN = "motcua.payments.tasks.receipts_drain_task"


@pytest.fixture
def database_tasks(settings: Any) -> Any:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.MOTCUA_DRAIN_WAKE_SECONDS = 30.0
    return settings


def _worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "default", verbosity=0)


def test_many_payments_share_one_queued_drain_which_issues_every_receipt(
    database_tasks: Any, citizen_an: Any, clerk_binh: Any, fee_version: Any
) -> None:
    orders = [
        services.counter_payment_record(
            dossier=submitted(fee_version, citizen_an), clerk=clerk_binh, method="cash"
        )
        for _ in range(3)
    ]
    drains = DBTaskResult.objects.filter(task_path=DRAIN)
    assert drains.count() == 1  # three commits, one drain
    delay = (drains.get().run_after - timezone.now()).total_seconds()
    assert 25 < delay <= 30  # it starts after the wake window, so it sees every commit made in it
    assert not Receipt.objects.exists()

    _worker()  # the drain is not due yet: nothing runs
    assert not Receipt.objects.exists()
    drains.update(run_after=timezone.now())  # its time has come
    _worker()
    numbers = dict(Receipt.objects.values_list("order_id", "number"))
    assert [numbers[o.pk] for o in orders] == [1, 2, 3]  # oldest order first


def test_after_the_window_the_next_commit_queues_another_drain(database_tasks: Any, monkeypatch: Any) -> None:
    now = [1000.0]
    monkeypatch.setattr(wake.time, "monotonic", lambda: now[0])
    drains = DBTaskResult.objects.filter(task_path=DRAIN)

    assert wake.drain_wake(receipts_drain_task) is True
    now[0] += 30.0 - wake.MARGIN_SECONDS - 0.01  # the queued drain is still safely in the future
    assert wake.drain_wake(receipts_drain_task) is False
    now[0] += 0.02  # too close to its start to be sure it sees this commit
    assert wake.drain_wake(receipts_drain_task) is True
    assert drains.count() == 2


def test_a_drain_that_could_not_be_queued_is_queued_by_the_next_commit(
    database_tasks: Any, monkeypatch: Any
) -> None:
    real = type(receipts_drain_task).enqueue
    calls = []

    def failing_once(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("queue down")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(type(receipts_drain_task), "enqueue", failing_once)
    with pytest.raises(RuntimeError):
        wake.drain_wake(receipts_drain_task)
    assert wake.drain_wake(receipts_drain_task) is True
    assert DBTaskResult.objects.filter(task_path=DRAIN).count() == 1


def test_a_payment_rolled_back_queues_no_drain_and_gets_no_receipt(
    database_tasks: Any, citizen_an: Any, clerk_binh: Any, fee_version: Any
) -> None:
    dossier = submitted(fee_version, citizen_an)

    def pay_then_fail() -> None:
        with transaction.atomic():
            services.counter_payment_record(dossier=dossier, clerk=clerk_binh, method="cash")
            raise RuntimeError("the payment's transaction fails")

    with pytest.raises(RuntimeError):
        pay_then_fail()
    assert not PaymentOrder.objects.exists()
    assert not DBTaskResult.objects.filter(task_path=DRAIN).exists()
    assert receipts_issue_pending() == (0, 0)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SKIP LOCKED: PostgreSQL")
def test_drains_side_by_side_share_the_orders(
    database_tasks: Any, citizen_an: Any, clerk_binh: Any, fee_version: Any
) -> None:
    first, second = (
        services.counter_payment_record(
            dossier=submitted(fee_version, citizen_an), clerk=clerk_binh, method="cash"
        )
        for _ in range(2)
    )
    held, release = threading.Event(), threading.Event()

    def other_drain() -> None:  # holds the first order as a drain signing its receipt would
        try:
            with transaction.atomic():
                PaymentOrder.objects.select_for_update().get(pk=first.pk)
                held.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_drain)
    thread.start()
    try:
        assert held.wait(10)
        assert receipts_issue_pending() == (1, 1)  # did not wait for the first: took the second
        assert list(Receipt.objects.values_list("order_id", flat=True)) == [second.pk]
    finally:
        release.set()
        thread.join()
    assert receipts_issue_pending() == (1, 1)
    assert Receipt.objects.count() == 2
