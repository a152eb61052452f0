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


def test_message_log_and_a_message_with_its_seal_and_evidence(gw: GatewayForTests, admin_giang) -> None:  # type: ignore[no-untyped-def]
    import json

    from motcua.gateway.services import log_seal_and_stamp

    token = gw.token()
    gw.call("echo", "things/1?soDinhDanh=001090012345", token=token, message_id="log-1", purpose="HS:1")
    gw.call("echo", "fail", token=token, message_id="log-2")
    web = WebClient()
    web.force_login(admin_giang)
    page = web.get("/lgsp/nhat-ky/").content.decode()
    assert "log-1" in page
    assert "log-2" in page
    only_errors = web.get("/lgsp/nhat-ky/", {"outcome": Outcome.UPSTREAM_ERROR}).content.decode()
    assert "log-2" in only_errors
    assert "log-1" not in only_errors
    log = MessageLog.objects.get(message_id="log-1")
    detail = web.get(f"/lgsp/nhat-ky/{log.pk}/").content.decode()
    assert log.content_hash in detail
    assert "001******345" in detail  # the ID number in the query is masked
    assert "001090012345" not in detail
    assert "evidence-download" not in detail  # not chained and stamped yet
    log_seal_and_stamp()
    detail = web.get(f"/lgsp/nhat-ky/{log.pk}/").content.decode()
    assert "evidence-download" in detail
    evidence = web.get(f"/lgsp/nhat-ky/{log.pk}/bang-chung/")
    assert evidence.status_code == 200
    assert "attachment" in evidence["Content-Disposition"]
    data = json.loads(evidence.content)
    assert data["record"]["message_id"] == "log-1"

    from motcua.gateway.evidence import evidence_verify

    verification = evidence_verify(evidence.content)
    assert verification.intact, verification.problems


def test_an_integrator_sees_the_log_but_takes_no_evidence(gw: GatewayForTests, clerk_binh) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Permission

    from motcua.gateway.services import log_seal_and_stamp

    gw.call("echo", "x", token=gw.token(), message_id="log-3")
    log_seal_and_stamp()
    clerk_binh.user_permissions.add(
        Permission.objects.get(codename="view_service", content_type__app_label="gateway")
    )
    web = WebClient()
    web.force_login(clerk_binh)
    log = MessageLog.objects.get(message_id="log-3")
    assert web.get("/lgsp/nhat-ky/").status_code == 200
    assert "evidence-download" not in web.get(f"/lgsp/nhat-ky/{log.pk}/").content.decode()
    assert web.get(f"/lgsp/nhat-ky/{log.pk}/bang-chung/").status_code == 404


def test_message_pages_hidden_from_other_staff(clerk_binh) -> None:  # type: ignore[no-untyped-def]
    web = WebClient()
    web.force_login(clerk_binh)
    assert web.get("/lgsp/nhat-ky/").status_code == 404
    assert web.get("/lgsp/nhat-ky/1/").status_code == 404
