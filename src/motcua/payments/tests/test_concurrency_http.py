"""Two notifications for one order at the same moment (threads on PostgreSQL: the row lock decides),
and the whole round trip over HTTP: the simulator calls our IPN endpoint on a live server, then sends
the browser back."""

from __future__ import annotations

import threading
import urllib.parse
import urllib.request

import pytest
from django.db import connection

from motcua.payments import services
from motcua.payments.models import EventKind, OrderStatus, PaymentEvent
from motcua.payments.tests.helpers import decide, open_at_platform, submitted


@pytest.mark.django_db(transaction=True)
def test_two_notifications_at_once_mark_the_order_paid_once(
    citizen_an, fee_version, platform, frozen
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are real on PostgreSQL only (scripts/with-postgres)")
    order = services.order_open(dossier=submitted(fee_version, citizen_an), payer=citizen_an)
    open_at_platform(platform, order)
    params = decide(platform, order, "pay")
    barrier = threading.Barrier(4)
    codes: list[str] = []

    def deliver() -> None:
        try:
            barrier.wait()
            codes.append(services.notification_handle(params).code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == ["00", "02", "02", "02"]
    assert PaymentEvent.objects.filter(order=order, kind=EventKind.PAID).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_simulator_notifies_our_endpoint_over_http_before_sending_the_browser_back(
    live_server, citizen_an, fee_version, platform
) -> None:
    platform.ipn_url = live_server.url + "/thanh-toan/vnpay/ipn/"
    order = services.order_open(dossier=submitted(fee_version, citizen_an), payer=citizen_an)
    open_at_platform(platform, order, return_url=live_server.url + "/thanh-toan/ket-qua/")
    target = platform.decide(order.txn_ref, "pay")
    assert platform.transactions[order.txn_ref].ipn_answers == [
        {"RspCode": "00", "Message": "Confirm Success"}
    ]
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert urllib.parse.urlsplit(target).path == "/thanh-toan/ket-qua/"
    with urllib.request.urlopen(target, timeout=5) as response:  # noqa: S310 - the live test server
        assert "Đã thanh toán" in response.read().decode()
