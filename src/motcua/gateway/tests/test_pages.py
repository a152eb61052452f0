"""The registry browser and the operator page: for the province's administrators and integrators only."""

from __future__ import annotations

from django.test import Client as WebClient

from motcua.gateway.demo import seed_demo
from motcua.gateway.models import Delivery, DeliveryState, MessageLog, Outcome
from motcua.testing.gateway import GatewayForTests


def test_registry_lists_members_services_versions_and_descriptions(admin_giang, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MOTCUA_GATEWAY_KEY_DIR = str(tmp_path)
    seed_demo()
    web = WebClient()
    web.force_login(admin_giang)
    page = web.get("/lgsp/").content.decode()
    assert "Cơ sở dữ liệu quốc gia về dân cư" in page
    assert "csdldc" in page
    detail = web.get("/lgsp/dich-vu/dvcqg/").content.decode()
    assert "DongBoHoSoMC" in detail  # the OpenAPI description
    assert "<code>motcua</code>" in detail  # granted to our system


def test_pages_hidden_from_other_staff(clerk_binh) -> None:  # type: ignore[no-untyped-def]
    web = WebClient()
    web.force_login(clerk_binh)
    assert web.get("/lgsp/").status_code == 404
    assert web.get("/lgsp/van-hanh/").status_code == 404


def test_integrator_with_the_permission_sees_the_registry(clerk_binh) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Permission

    clerk_binh.user_permissions.add(
        Permission.objects.get(codename="view_service", content_type__app_label="gateway")
    )
    web = WebClient()
    web.force_login(clerk_binh)
    assert web.get("/lgsp/").status_code == 200


def test_operator_page_shows_health_and_replays_a_dead_letter(gw: GatewayForTests, admin_giang) -> None:  # type: ignore[no-untyped-def]
    token = gw.token()
    for i in range(3):
        gw.call("echo", f"x/{i}", token=token)
    gw.call("echo", "fail", token=token)
    gw.call("echo", "x", token=token, message_id="dead-1", headers={"Prefer": "respond-async"})
    delivery = Delivery.objects.get(log__message_id="dead-1")
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.DEAD, attempts=6, last_error="connection refused"
    )
    web = WebClient()
    web.force_login(admin_giang)
    page = web.get("/lgsp/van-hanh/").content.decode()
    assert "dead-1" in page
    assert "connection refused" in page
    assert ">4</td>" in page  # calls to echo: 3 ok + 1 provider error
    response = web.post(f"/lgsp/van-hanh/gui-lai/{delivery.pk}/")
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.WAITING
    assert delivery.replayed_by == "giang"
    assert MessageLog.objects.get(message_id="dead-1").outcome == Outcome.QUEUED
