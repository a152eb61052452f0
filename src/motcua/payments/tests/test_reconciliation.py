"""Daily reconciliation against the platform's settlement file, with injected differences, the command's
JSON and the operator's resolution."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command

from motcua.payments import reconcile, services
from motcua.payments.models import OrderStatus, Resolution
from motcua.payments.tests.conftest import FEE
from motcua.payments.tests.helpers import decide, open_at_platform, submitted
from motcua.simulators.payment import SettlementLine

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 3, 3)


def _paid(version, citizen, platform, *, notify: bool = True):  # type: ignore[no-untyped-def]
    order = services.order_open(dossier=submitted(version, citizen), payer=citizen)
    open_at_platform(platform, order)
    params = decide(platform, order, "pay")
    if notify:
        assert services.notification_handle(params).code == "00"
    order.refresh_from_db()
    return order


def test_injected_differences_are_listed_by_kind(citizen_an, fee_version, platform, frozen) -> None:
    matched = _paid(fee_version, citizen_an, platform)
    ours_only = _paid(fee_version, citizen_an, platform)
    mismatch = _paid(fee_version, citizen_an, platform)
    missed = _paid(fee_version, citizen_an, platform, notify=False)  # paid there, the IPN never came
    # Inject: the platform lost one line and settled another for less.
    platform.settlement = [line for line in platform.settlement if line.txn_ref != ours_only.txn_ref]
    for line in platform.settlement:
        if line.txn_ref == mismatch.txn_ref:
            line.amount = FEE - 1
    platform.settlement.append(SettlementLine(DAY, "MCFOREIGN", "999", "payment", 5000, "NCB", ""))
    out = StringIO()
    call_command("payments", "reconcile", "--date", DAY.isoformat(), "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert set(report) == {"date", "matched", "ours_only", "theirs_only", "amount_mismatch", "items"}
    assert (
        report["date"],
        report["matched"],
        report["ours_only"],
        report["theirs_only"],
        report["amount_mismatch"],
    ) == (
        "2025-03-03",
        1,
        1,
        2,
        1,
    )
    by_ref = {i["txn_ref"]: i for i in report["items"]}
    assert by_ref[ours_only.txn_ref]["status"] == "ours_only"
    assert by_ref[mismatch.txn_ref] | {"resolution": None} == {
        "txn_ref": mismatch.txn_ref,
        "kind": "payment",
        "status": "amount_mismatch",
        "ours": FEE,
        "theirs": FEE - 1,
        "resolution": None,
    }
    assert by_ref[missed.txn_ref]["status"] == "theirs_only"
    assert matched.txn_ref not in by_ref


def test_the_operator_takes_the_platforms_record_for_a_missed_notification(
    client, citizen_an, clerk_binh, fee_version, platform, frozen
) -> None:
    missed = _paid(fee_version, citizen_an, platform, notify=False)
    clerk_binh.user_permissions.add(Permission.objects.get(codename="reconcile_payments"))
    client.force_login(clerk_binh)
    page = client.get("/mot-cua/doi-soat/", {"date": DAY.isoformat()}).content.decode()
    assert missed.txn_ref in page
    assert "Ghi nhận theo cổng thanh toán" in page
    response = client.post(
        "/mot-cua/doi-soat/xu-ly/",
        {
            "date": DAY.isoformat(),
            "txn_ref": missed.txn_ref,
            "kind": "payment",
            "action": "apply",
            "note": "",
        },
    )
    assert response.status_code == 302
    missed.refresh_from_db()
    assert missed.status == OrderStatus.PAID
    assert Resolution.objects.get(txn_ref=missed.txn_ref).action == "apply"
    # Recorded once: a second resolution of the same item is refused.
    with pytest.raises(Exception):  # noqa: B017, PT011 - ConflictError
        reconcile.item_resolve(
            day=DAY, txn_ref=missed.txn_ref, kind="payment", action="note", note="x", actor=clerk_binh
        )


def test_the_reconciliation_page_is_for_operators_only(client, clerk_binh, db) -> None:
    client.force_login(clerk_binh)
    assert client.get("/mot-cua/doi-soat/").status_code == 403
