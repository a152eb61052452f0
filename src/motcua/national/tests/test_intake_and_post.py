"""The national systems used in Một Cửa, through the real gateway: the applicant checked and the form
pre-filled at the counter and on submission, a delivery order when the result is returned by post with
its tracking pushed back over HTTP, a pick-up order, and the postal outbox that survives an outage."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from motcua.core import clock
from motcua.dossiers import processing, services
from motcua.dossiers.models import DeliveryStatus, Dossier, DossierAccessLog, TaskStatus
from motcua.dossiers.workflow import TimelineAction
from motcua.national.models import PostOrder, PostOrderState
from motcua.national.post import post_outbox_drain
from motcua.national.tests.conftest import NationalSystems
from motcua.testing.journeys import bulletin_received

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _lookup_form(**fields: str) -> dict[str, str]:
    return {
        "applicant_kind": "citizen",
        "applicant_name": "",
        "applicant_id_number": "",
        "applicant_phone": "",
        "applicant_email": "",
        "applicant_address": "",
        "summary": "",
        "return_method": "counter",
        "lookup_national": "1",
    } | fields


def test_the_counter_prefills_from_the_population_database(
    national: NationalSystems, clerk_binh: Any, bulletin_version: Any
) -> None:
    url = f"/mot-cua/tiep-nhan/{bulletin_version.procedure.local_code}/"
    page = _client(clerk_binh).post(
        url, _lookup_form(applicant_id_number="001090012345", applicant_name="nguyễn văn an")
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-national-check="found"' in html
    assert 'value="Nguyễn Văn An"' in html  # the register's spelling replaces the typed one
    record = national.population.people["001090012345"]
    assert record["NoiOHienTai"]["ChiTiet"] in html
    assert national.population.lookups[-1]["MucDich"].startswith("Tiếp nhận hồ sơ tại quầy")
    assert DossierAccessLog.objects.filter(user=clerk_binh, target__contains="CSDLQG dân cư").exists()


def test_a_mismatch_prefills_nothing_and_tells_the_clerk(
    national: NationalSystems, clerk_binh: Any, bulletin_version: Any
) -> None:
    url = f"/mot-cua/tiep-nhan/{bulletin_version.procedure.local_code}/"
    page = _client(clerk_binh).post(
        url, _lookup_form(applicant_id_number="001090012345", applicant_name="Nguyễn Văn Ân")
    )
    html = page.content.decode()
    assert 'data-national-check="mismatch"' in html
    assert "không khớp" in html
    assert 'value="Nguyễn Văn Ân"' in html  # what the clerk typed, untouched
    assert national.population.people["001090012345"]["NoiOHienTai"]["ChiTiet"] not in html


def test_a_business_applicant_from_the_business_register(
    national: NationalSystems, clerk_binh: Any, bulletin_version: Any
) -> None:
    url = f"/mot-cua/tiep-nhan/{bulletin_version.procedure.local_code}/"
    page = _client(clerk_binh).post(
        url, _lookup_form(applicant_kind="business", applicant_id_number="0109999999", applicant_name="")
    )
    firm = national.business.firms["0109999999"]
    html = page.content.decode()
    assert 'data-national-check="found"' in html
    assert firm["DiaChiTruSo"]["ChiTiet"] in html


def test_a_database_down_never_blocks_the_counter(
    national: NationalSystems, clerk_binh: Any, bulletin_version: Any
) -> None:
    national.stop("population")
    url = f"/mot-cua/tiep-nhan/{bulletin_version.procedure.local_code}/"
    page = _client(clerk_binh).post(
        url, _lookup_form(applicant_id_number="001090012345", applicant_name="Nguyễn Văn An")
    )
    assert 'data-national-check="unavailable"' in page.content.decode()
    # The dossier is received all the same; the check's outcome is on its timeline.
    components = list(bulletin_version.components.order_by("order"))
    form = _lookup_form(applicant_id_number="001090012345", applicant_name="Nguyễn Văn An")
    del form["lookup_national"]
    form |= {"received_components": [str(components[0].pk), str(components[1].pk)], "idempotency_key": "k1"}
    response = _client(clerk_binh).post(url, form)
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    event = dossier.events.get(action=TimelineAction.APPLICANT_CHECK)
    assert event.data["status"] == "unavailable"


def test_a_citizen_submission_is_checked_after_it_is_saved(
    national: NationalSystems, citizen_an: Any, bulletin_version: Any
) -> None:
    from motcua.dossiers.tests.conftest import pdf

    components = list(bulletin_version.components.order_by("order"))
    response = _client(citizen_an).post(
        f"/ho-so/nop/{bulletin_version.procedure.local_code}/",
        {
            "applicant_kind": "citizen",
            "applicant_name": "Nguyễn Văn An",
            "applicant_id_number": "001090012345",
            "applicant_address": "Số 5 phố Đội Cấn, Hà Nội",
            "return_method": "post",
            "pickup_by_post": "on",
            f"component_{components[0].pk}": pdf(),
            f"component_{components[1].pk}": pdf("b.pdf"),
            "submit": "1",
            "idempotency_key": "c1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    dossier = Dossier.objects.get()
    assert dossier.events.get(action=TimelineAction.APPLICANT_CHECK).data["status"] == "found"
    pickup = PostOrder.objects.get(dossier=dossier, kind="pickup")
    assert pickup.state == PostOrderState.PENDING  # queued; sent after commit (below, by the drain)
    assert post_outbox_drain()["sent"] == 1
    pickup.refresh_from_db()
    assert pickup.state == PostOrderState.SENT
    assert pickup.item_code.startswith("EH")
    order = national.post.orders[pickup.item_code]
    assert order["SenderFullname"] == "Nguyễn Văn An"
    assert order["ReceiverFullname"] == dossier.receiving_agency.name


def _issued(version: Any, citizen: Any, clerk: Any, chi: Any, dung: Any, em: Any) -> Dossier:
    dossier = bulletin_received(version, citizen, clerk)
    Dossier.objects.filter(pk=dossier.pk).update(applicant_address="Số 5 phố Đội Cấn, Hà Nội")
    for user in (chi, dung, em):
        processing.task_complete(
            task=dossier.tasks.get(status=TaskStatus.ACTIVE, is_consultation=False), user=user
        )
    dossier.refresh_from_db()
    return dossier


def test_return_by_post_creates_a_delivery_order_and_its_tracking_shows(
    national: NationalSystems,
    site_served: str,
    citizen_an: Any,
    clerk_binh: Any,
    specialist_chi: Any,
    leader_dung: Any,
    clerical_em: Any,
    bulletin_version: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    dossier = _issued(bulletin_version, citizen_an, clerk_binh, specialist_chi, leader_dung, clerical_em)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_return_result(
            dossier=dossier, clerk=clerk_binh, method="post", recipient="Nguyễn Văn An"
        )
    order = PostOrder.objects.get(dossier=dossier)
    assert order.kind == "delivery"
    assert order.state == PostOrderState.SENT
    dossier.refresh_from_db()
    assert dossier.delivery_status == DeliveryStatus.IN_TRANSIT
    sent = national.post.orders[order.item_code]
    assert sent["ReceiverAddress"] == "Số 5 phố Đội Cấn, Hà Nội"
    assert sent["CallbackUrl"].startswith(site_served)

    for _ in range(4):  # picked up, in transit, out for delivery, delivered: each pushed to us
        national.post.advance(item_code=order.item_code)
    order.refresh_from_db()
    dossier.refresh_from_db()
    assert [t["OrderStatus"] for t in order.tracking] == ["200", "300", "400", "500"]
    assert dossier.delivery_status == DeliveryStatus.DELIVERED
    assert dossier.events.filter(action=TimelineAction.POST_TRACKING).count() == 4
    national.post.advance(item_code=order.item_code)  # delivered is final: nothing more
    assert national.post.callbacks_sent == 4

    desk = _client(clerk_binh).get(f"/mot-cua/ho-so/{dossier.code}/").content.decode()
    assert "data-post-tracking" in desk
    assert order.item_code in desk
    assert "Phát thành công" in desk
    mine = _client(citizen_an).get(f"/ho-so/{dossier.code}/").content.decode()
    assert order.item_code in mine
    assert "Phát thành công" in mine


def test_the_outbox_keeps_orders_while_the_post_is_down_and_drains_after(
    national: NationalSystems,
    citizen_an: Any,
    clerk_binh: Any,
    specialist_chi: Any,
    leader_dung: Any,
    clerical_em: Any,
    bulletin_version: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    dossier = _issued(bulletin_version, citizen_an, clerk_binh, specialist_chi, leader_dung, clerical_em)
    national.stop("post")
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_return_result(
            dossier=dossier, clerk=clerk_binh, method="post", recipient="Nguyễn Văn An"
        )
    dossier.refresh_from_db()
    assert dossier.status == "returned"  # the outage did not block the clerk
    order = PostOrder.objects.get(dossier=dossier)
    assert order.state == PostOrderState.PENDING
    assert order.attempts == 1
    assert order.last_error.startswith("down")
    first_retry = order.next_attempt_at
    assert post_outbox_drain()["sent"] == 0  # not due yet: the back-off holds
    assert post_outbox_drain(now=first_retry)["sent"] == 0  # due, still down: the back-off doubles
    order.refresh_from_db()
    assert order.attempts == 2
    assert order.next_attempt_at - first_retry == dt.timedelta(minutes=1)
    page = _client(clerk_binh).get(f"/mot-cua/ho-so/{dossier.code}/").content.decode()
    assert "Đang chờ gửi đơn sang bưu chính" in page

    national.restart("post")
    assert post_outbox_drain(now=clock.now() + dt.timedelta(hours=1)) == {
        "sent": 1,
        "failed": 0,
        "waiting": 0,
    }
    order.refresh_from_db()
    assert order.state == PostOrderState.SENT
    assert order.item_code in national.post.orders
    # A retry of the same order (e.g. its answer was lost) does not create a second one at the post.
    assert len(national.post.orders) == 1


def test_a_tracking_callback_with_a_bad_body_gets_the_national_error(
    national: NationalSystems, site_served: str, citizen_an: Any, bulletin_version: Any, clerk_binh: Any
) -> None:
    from motcua.testing.gateway import http_call

    status, _, body = http_call(f"{site_served}/buu-chinh/hanh-trinh/unknown/", method="POST", body=b"{}")
    assert status == 400
    assert b"ItemCode" in body
    assert b"DATA_INCORRECT" in body
    update = (
        b'{"ItemCode": "EP1VN", "OrderStatus": "200", "StatusName": "x", "Time": "2026-12-02T10:00:00+07:00"}'
    )
    status, _, body = http_call(f"{site_served}/buu-chinh/hanh-trinh/unknown/", method="POST", body=update)
    assert status == 404
    assert b"DATA_INCORRECT" in body
    status, _, body = http_call(
        f"{site_served}/buu-chinh/hanh-trinh/unknown/", method="POST", body=b"garbage"
    )
    assert status == 400
    assert b'"error_code": 500' in body
