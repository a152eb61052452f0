"""On PostgreSQL a confirmed notification writes its rows in one statement (``services.
_mark_paid_in_one_statement``); everywhere else, and for a dossier whose payment resumes its legal clock,
through the ORM (``_dossier_paid``). Both must write the same rows: the order, the ledger row, the
dossier's payment fields, the ``fee_paid`` timeline event and the IOC's stale mark."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.conftest import MONDAY_MORNING
from motcua.ioc.models import FactStale
from motcua.payments import services
from motcua.payments.models import PaymentEvent, PaymentOrder
from motcua.payments.tests.helpers import decide, open_at_platform, submitted

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the one-statement path is PostgreSQL's"),
]

ORDER_FIELDS = ("status", "amount", "channel", "paid_at", "bank_code", "refunded_amount")
DOSSIER_FIELDS = ("status", "payment_status", "paid_online", "payment_channel", "updated_at")
EVENT_FIELDS = (
    "action",
    "actor_id",
    "actor_role",
    "actor_agency_id",
    "at",
    "from_status",
    "to_status",
    "reason",
)
LEDGER_FIELDS = ("kind", "amount", "from_status", "to_status", "actor_id", "at")


def _paid(citizen: Any, version: Any, platform: Any) -> tuple[Dossier, PaymentOrder]:
    dossier = submitted(version, citizen)
    FactStale.objects.filter(dossier_id=dossier.pk).delete()  # the submission's mark: not the payment's
    order = services.order_open(dossier=dossier, payer=citizen)
    open_at_platform(platform, order)
    assert services.notification_handle(decide(platform, order, "pay")).code == "00"
    return dossier, order


def _rows(dossier: Dossier, order: PaymentOrder) -> dict[str, Any]:
    ledger = PaymentEvent.objects.filter(order=order, kind="paid").get()
    # The platform's transaction number differs between two orders: recorded on the order as notified.
    assert PaymentOrder.objects.get(pk=order.pk).provider_txn_no == ledger.data["vnp_TransactionNo"] != ""
    event = DossierEvent.objects.filter(dossier=dossier, action="fee_paid").get()
    return {
        "order": PaymentOrder.objects.filter(pk=order.pk).values(*ORDER_FIELDS).get(),
        "dossier": Dossier.objects.filter(pk=dossier.pk).values(*DOSSIER_FIELDS).get(),
        "ledger": {**{f: getattr(ledger, f) for f in LEDGER_FIELDS}, "data": _without_ids(ledger.data)},
        "event": {**{f: getattr(event, f) for f in EVENT_FIELDS}, "data": sorted(event.data)},
        "marks": list(FactStale.objects.filter(dossier_id=dossier.pk).values_list("version", "marked_at")),
    }


def _without_ids(data: dict[str, Any]) -> dict[str, Any]:
    # The platform's parameters name the order, its dossier and its transaction: different for two orders.
    different = {"vnp_TxnRef", "vnp_TransactionNo", "vnp_SecureHash", "vnp_OrderInfo"}
    return {k: v for k, v in data.items() if k not in different}


def test_the_statement_writes_the_rows_the_orm_path_writes(
    citizen_an: Any, fee_version: Any, platform: Any, frozen: Any, monkeypatch: Any
) -> None:
    with CaptureQueriesContext(connection) as queries:
        by_statement = _paid(citizen_an, fee_version, platform)
    monkeypatch.setattr(services, "_paid_in_one_statement", lambda dossier: False)
    by_orm = _paid(citizen_an, fee_version, platform)

    statement_rows, orm_rows = _rows(*by_statement), _rows(*by_orm)
    for key in statement_rows:
        assert statement_rows[key] == orm_rows[key], (key, repr(statement_rows[key]), repr(orm_rows[key]))
    # Not vacuous: paid, online, with one event and one mark each.
    assert statement_rows["order"]["status"] == "paid"
    assert statement_rows["dossier"]["payment_status"] == "paid"
    assert statement_rows["dossier"]["paid_online"] is True
    assert statement_rows["event"]["data"] == ["amount", "channel", "txn_ref"]
    assert statement_rows["marks"] == [(1, MONDAY_MORNING)]
    writes = [q["sql"] for q in queries if q["sql"].startswith("WITH o AS (UPDATE")]
    assert len(writes) == 1  # the notification's writes: one statement


def test_with_nothing_paid_in_full_the_statement_writes_no_event_and_no_mark(
    citizen_an: Any, fee_version: Any, platform: Any, frozen: Any
) -> None:
    from motcua.dossiers.models import DossierFee

    dossier = submitted(fee_version, citizen_an)
    FactStale.objects.filter(dossier_id=dossier.pk).delete()
    order = services.order_open(dossier=dossier, payer=citizen_an)
    DossierFee.objects.create(dossier=dossier, name="Phí thẩm định", amount=30_000, due="submission")
    open_at_platform(platform, order)
    assert services.notification_handle(decide(platform, order, "pay")).code == "00"
    assert PaymentOrder.objects.get(pk=order.pk).status == "paid"  # the money is recorded
    assert Dossier.objects.get(pk=dossier.pk).payment_status == "due"
    assert not DossierEvent.objects.filter(dossier=dossier, action="fee_paid").exists()
    assert not FactStale.objects.filter(dossier_id=dossier.pk).exists()
