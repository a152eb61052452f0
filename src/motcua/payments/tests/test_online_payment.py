"""Online payment through the simulator: only a notification whose signature, order and amount check
marks an order paid; replays, forgeries, wrong amounts, unknown orders and late notifications."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.core.errors import ConflictError
from motcua.dossiers.models import DossierEvent
from motcua.payments import services
from motcua.payments.models import EventKind, OrderStatus, PaymentEvent, PaymentOrder
from motcua.payments.tests.conftest import FEE
from motcua.payments.tests.helpers import decide, open_at_platform, submitted
from motcua.simulators.payment import secure_hash

pytestmark = pytest.mark.django_db


def test_the_order_carries_the_amount_times_100_signed_and_only_the_ipn_marks_it_paid(
    citizen_an, fee_version, platform, frozen
) -> None:
    dossier = submitted(fee_version, citizen_an)
    assert dossier.payment_status == "due"
    order = services.order_open(dossier=dossier, payer=citizen_an)
    assert order.amount == FEE
    assert order.status == OrderStatus.PENDING
    open_at_platform(platform, order)
    assert platform.transactions[order.txn_ref].amount == FEE * 100
    params = decide(platform, order, "pay")
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING  # the browser's parameters change nothing by themselves

    result = services.notification_handle(params)
    assert result.body == {"RspCode": "00", "Message": "Confirm Success"}
    order.refresh_from_db()
    dossier.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.provider_txn_no
    assert (dossier.payment_status, dossier.paid_online, dossier.payment_channel) == (
        "paid",
        True,
        "online_national",
    )
    assert DossierEvent.objects.filter(dossier=dossier, action="fee_paid").count() == 1
    assert list(order.events.values_list("kind", "amount")) == [("created", 0), ("paid", FEE)]


def test_a_second_click_reuses_the_open_order(citizen_an, fee_version, platform, frozen) -> None:
    dossier = submitted(fee_version, citizen_an)
    first = services.order_open(dossier=dossier, payer=citizen_an)
    assert services.order_open(dossier=dossier, payer=citizen_an).pk == first.pk


def test_a_replayed_notification_is_answered_already_confirmed_and_counted_once(
    citizen_an, fee_version, platform, frozen
) -> None:
    dossier = submitted(fee_version, citizen_an)
    order = services.order_open(dossier=dossier, payer=citizen_an)
    open_at_platform(platform, order)
    params = decide(platform, order, "pay")
    assert services.notification_handle(params).code == "00"
    assert services.notification_handle(params).code == "02"
    assert PaymentEvent.objects.filter(order=order, kind=EventKind.PAID).count() == 1
    assert PaymentEvent.objects.filter(order=order, kind=EventKind.NOTIFICATION_REJECTED).count() == 1


def test_forged_notifications_are_refused_with_97(citizen_an, fee_version, platform, frozen) -> None:
    dossier = submitted(fee_version, citizen_an)
    order = services.order_open(dossier=dossier, payer=citizen_an)
    open_at_platform(platform, order)
    params = decide(platform, order, "fail")
    # Turn a failure into a success without the secret: the hash no longer matches.
    forged = {**params, "vnp_ResponseCode": "00", "vnp_TransactionStatus": "00"}
    assert services.notification_handle(forged).code == "97"
    # Signed with another secret.
    other = {k: v for k, v in forged.items() if k != "vnp_SecureHash"}
    other["vnp_SecureHash"] = secure_hash("not-our-secret", other)
    assert services.notification_handle(other).code == "97"
    assert services.notification_handle({}).code == "97"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert (
        PaymentEvent.objects.filter(kind=EventKind.NOTIFICATION_REJECTED, data__reason="bad_hash").count()
        == 3
    )


def test_a_signed_notification_with_the_wrong_amount_is_refused_with_04(
    citizen_an, fee_version, platform, settings, frozen
) -> None:
    dossier = submitted(fee_version, citizen_an)
    order = services.order_open(dossier=dossier, payer=citizen_an)
    open_at_platform(platform, order)
    params = {k: v for k, v in decide(platform, order, "pay").items() if k != "vnp_SecureHash"}
    params["vnp_Amount"] = str((FEE - 1000) * 100)
    params["vnp_SecureHash"] = secure_hash(settings.MOTCUA_PAYMENT_HASH_SECRET, params)
    assert services.notification_handle(params).code == "04"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_a_notification_for_an_unknown_order_is_answered_01(settings, db) -> None:
    params = {
        "vnp_TmnCode": settings.MOTCUA_PAYMENT_TMN_CODE,
        "vnp_Amount": "10000000",
        "vnp_ResponseCode": "00",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": "MCNOSUCHORDER",
        "vnp_TransactionNo": "1",
    }
    params["vnp_SecureHash"] = secure_hash(settings.MOTCUA_PAYMENT_HASH_SECRET, params)
    assert services.notification_handle(params).code == "01"
    assert not PaymentOrder.objects.exists()


def test_a_failed_payment_can_be_paid_again(citizen_an, fee_version, platform, frozen) -> None:
    dossier = submitted(fee_version, citizen_an)
    order = services.order_open(dossier=dossier, payer=citizen_an)
    open_at_platform(platform, order)
    assert services.notification_handle(decide(platform, order, "fail")).code == "00"
    order.refresh_from_db()
    assert order.status == OrderStatus.FAILED
    assert services.notification_handle(decide(platform, order, "pay")).code == "00"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_the_return_page_before_the_ipn_shows_pending_and_a_forged_return_pays_nothing(
    client, citizen_an, fee_version, platform, frozen
) -> None:
    dossier = submitted(fee_version, citizen_an)
    order = services.order_open(dossier=dossier, payer=citizen_an)
    open_at_platform(platform, order)
    params = decide(platform, order, "pay")
    client.force_login(citizen_an)
    page = client.get("/thanh-toan/ket-qua/", params).content.decode()
    assert "Đang chờ cổng thanh toán xác nhận" in page
    forged = {**params, "vnp_SecureHash": "00" * 64}
    client.get("/thanh-toan/ket-qua/", forged)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert order.returned_at is not None
    # The IPN arrives after the browser came back.
    assert client.get("/thanh-toan/vnpay/ipn/", params).json()["RspCode"] == "00"
    assert "Đã thanh toán" in client.get("/thanh-toan/ket-qua/", params).content.decode()


def test_a_notification_long_after_expiry_still_records_the_money(
    citizen_an, fee_version, platform, frozen
) -> None:
    dossier = submitted(fee_version, citizen_an)
    order = services.order_open(dossier=dossier, payer=citizen_an)
    open_at_platform(platform, order)
    frozen.shift(dt.timedelta(hours=2))
    # The platform knows no payment: the order expires.
    assert services.orders_expire() == {"expired": 1, "paid": 0, "unknown": 0}
    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED
    # Hours later the payment goes through and its notification arrives: money taken is never dropped.
    assert services.notification_handle(decide(platform, order, "pay")).code == "00"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.events.get(kind=EventKind.PAID).data["late"] is True


def test_expiry_asks_the_platform_and_records_a_payment_whose_ipn_never_came(
    citizen_an, fee_version, platform, frozen
) -> None:
    dossier = submitted(fee_version, citizen_an)
    order = services.order_open(dossier=dossier, payer=citizen_an)
    open_at_platform(platform, order)
    decide(platform, order, "pay")  # no IPN reaches us (platform.ipn_url is empty)
    frozen.shift(dt.timedelta(hours=1))
    assert services.orders_expire()["paid"] == 1
    order.refresh_from_db()
    dossier.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert dossier.payment_status == "paid"


def test_with_the_platform_down_orders_stay_open_until_it_answers(
    client, citizen_an, fee_version, platform, settings, frozen
) -> None:
    dossier = submitted(fee_version, citizen_an)
    client.force_login(citizen_an)
    up = settings.MOTCUA_PAYMENT_URL
    settings.MOTCUA_PAYMENT_URL = "http://127.0.0.1:9"  # nothing listens: the payer's click lands nowhere
    response = client.post(f"/ho-so/{dossier.code}/thanh-toan/bat-dau/")
    assert response.status_code == 302
    assert response["Location"].startswith("http://127.0.0.1:9/")
    order = PaymentOrder.objects.get(dossier=dossier)
    frozen.shift(dt.timedelta(hours=1))
    assert services.orders_expire() == {"expired": 0, "paid": 0, "unknown": 1}
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert "Thanh toán trực tuyến" in client.get(f"/ho-so/{dossier.code}/thanh-toan/").content.decode()
    settings.MOTCUA_PAYMENT_URL = up
    assert services.orders_expire()["expired"] == 1


def test_paying_a_dossier_with_nothing_due_is_refused(citizen_an, bulletin_version, platform, frozen) -> None:
    dossier = submitted(bulletin_version, citizen_an)
    assert dossier.payment_status == "not_required"
    with pytest.raises(ConflictError):
        services.order_open(dossier=dossier, payer=citizen_an)


def test_the_ledger_is_append_only(citizen_an, fee_version, platform, frozen) -> None:
    from motcua.payments.models import AppendOnlyError

    dossier = submitted(fee_version, citizen_an)
    order = services.order_open(dossier=dossier, payer=citizen_an)
    event = order.events.get()
    event.amount = 5
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_without_a_hash_secret_no_notification_is_accepted(
    citizen_an, fee_version, platform, settings, frozen
) -> None:
    dossier = submitted(fee_version, citizen_an)
    order = services.order_open(dossier=dossier, payer=citizen_an)
    open_at_platform(platform, order)
    settings.MOTCUA_PAYMENT_HASH_SECRET = ""
    params = {k: v for k, v in decide(platform, order, "pay").items() if k != "vnp_SecureHash"}
    params["vnp_SecureHash"] = secure_hash("", params)  # what anyone can compute with no secret
    assert services.notification_handle(params).code == "97"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_a_paid_order_that_covers_only_part_of_what_is_due_leaves_the_dossier_due(
    citizen_an, fee_version, platform, frozen
) -> None:
    """A fee line added after the order was opened: the payment is recorded, the dossier owes that line."""
    from motcua.dossiers.models import DossierFee

    dossier = submitted(fee_version, citizen_an)
    order = services.order_open(dossier=dossier, payer=citizen_an)
    DossierFee.objects.create(dossier=dossier, name="Phí thẩm định", amount=30_000, due="submission")
    open_at_platform(platform, order)

    assert services.notification_handle(decide(platform, order, "pay")).code == "00"

    dossier.refresh_from_db()
    assert dossier.payment_status == "due"
    assert services.amount_due(dossier) == 30_000
    assert not DossierEvent.objects.filter(dossier=dossier, action="fee_paid").exists()
    second = services.order_open(dossier=dossier, payer=citizen_an)
    assert second.amount == 30_000
    open_at_platform(platform, second)
    assert services.notification_handle(decide(platform, second, "pay")).code == "00"
    dossier.refresh_from_db()
    assert (dossier.payment_status, dossier.paid_online) == ("paid", True)
    assert services.amount_due(dossier) == 0
