"""Issue 14, "who used my data": a read of a citizen's personal data by another system through the gateway
(LGSP) is recorded once, kind "system", with the client system and the stated purpose; a call without a
purpose is refused and records nothing; our own system's calls are recorded where they happen (national)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from django.urls import reverse

from motcua.gateway.personal_data import subjects_of
from motcua.identity.models import AccessorKind, PersonalDataAccess
from motcua.testing.gateway import EchoUpstream, GatewayForTests, echo_upstream, gateway_served

CITIZEN = "001090012345"
LOOKUP = json.dumps({"SoDinhDanh": CITIZEN, "HoVaTen": "Nguyễn Văn An"}).encode()


@pytest.fixture
def upstream() -> Iterator[EchoUpstream]:
    with echo_upstream() as served:
        yield served


@pytest.fixture
def gw(db: None, upstream: EchoUpstream) -> Iterator[GatewayForTests]:
    with gateway_served(
        upstreams={"echo": upstream.url, "people": upstream.url}, personal=("people",), timeout_seconds=2
    ) as served:
        served.client("soyte", member_code="soyte", services=("people", "echo"), secret="soyte-secret")
        yield served


def _soyte(gw: GatewayForTests) -> str:
    return gw.token(client_id="soyte", client_secret="soyte-secret")


def test_a_client_systems_read_is_recorded_once_with_client_and_purpose(gw: GatewayForTests) -> None:
    token = _soyte(gw)
    status, _, _ = gw.call(
        "people", "congdan/tracuu", token=token, method="POST", body=LOOKUP, message_id="m-soyte-1",
        purpose=quote("Cấp Giấy chứng sinh — Luật Khám bệnh, chữa bệnh 2023"),
    )  # fmt: skip
    assert status == 200
    row = PersonalDataAccess.objects.get()
    assert row.subject_id_number == CITIZEN
    assert row.accessor_kind == AccessorKind.SYSTEM
    assert row.accessor == "Thành viên soyte (soyte)"
    assert row.user is None
    assert row.purpose == "Cấp Giấy chứng sinh — Luật Khám bệnh, chữa bệnh 2023"
    assert "Dịch vụ people [people]" in row.data
    assert "POST /congdan/tracuu" in row.data
    assert "m-soyte-1" in row.data
    # The same message id again is answered from the log: the same exchange, not a second read.
    again = gw.call(
        "people", "congdan/tracuu", token=token, method="POST", body=LOOKUP, message_id="m-soyte-1",
        purpose=quote("Cấp Giấy chứng sinh — Luật Khám bệnh, chữa bệnh 2023"),
    )  # fmt: skip
    assert again[1].get("X-Gateway-Replay") == "1"
    assert PersonalDataAccess.objects.count() == 1


def test_a_read_without_purpose_is_refused_in_both_languages_and_records_nothing(
    gw: GatewayForTests, upstream: EchoUpstream
) -> None:
    status, _, body = gw.call(
        "people", "congdan/tracuu", token=_soyte(gw), method="POST", body=LOOKUP, purpose=""
    )
    assert status == 400
    answer = json.loads(body)
    assert answer["error"] == "purpose_required"
    assert "mục đích" in answer["message"]
    assert "purpose" in answer["message_en"]
    assert upstream.hits == []
    assert not PersonalDataAccess.objects.exists()


def test_no_record_for_our_own_client_nor_a_service_without_personal_data(gw: GatewayForTests) -> None:
    # Our own look-ups are recorded by the national app with the official and the dossier (national_db).
    assert gw.call("people", "x", token=gw.token(), method="POST", body=LOOKUP, purpose="HS:1")[0] == 200
    assert gw.call("echo", "x", token=_soyte(gw), method="POST", body=LOOKUP)[0] == 200
    assert not PersonalDataAccess.objects.exists()


def test_a_refused_or_failed_read_records_nothing(gw: GatewayForTests) -> None:
    assert gw.call("people", "fail", token=_soyte(gw), method="POST", body=LOOKUP, purpose="p")[0] == 500
    assert not PersonalDataAccess.objects.exists()


def test_a_dossier_look_up_is_recorded_for_its_applicant(
    gw: GatewayForTests, citizen_an: Any, bulletin_version: Any, frozen: Any
) -> None:
    from django.test import Client

    from motcua.dossiers.models import Dossier
    from motcua.dossiers.tests.conftest import pdf

    components = bulletin_version.components.filter(required=True)
    payload = {
        "procedure": bulletin_version.procedure.local_code,
        "applicant": {"name": "Nguyễn Văn An", "id_number": CITIZEN},
    }
    web = Client()
    web.force_login(citizen_an)
    files = {f"component_{c.pk}": pdf(f"tp{c.pk}.pdf") for c in components}
    response = web.post("/api/v1/dossiers", {"data": json.dumps(payload), **files})
    assert response.status_code == 201, response.content
    dossier = Dossier.objects.get(code=response.json()["code"])
    assert dossier.applicant_id_number == CITIZEN
    body = json.dumps({"MaHoSo": dossier.code}).encode()
    assert gw.call("people", "TraCuuHoSo", token=_soyte(gw), method="POST", body=body, purpose="p")[0] == 200
    rows = list(PersonalDataAccess.objects.filter(accessor_kind=AccessorKind.SYSTEM))
    assert [r.subject_id_number for r in rows] == [CITIZEN]


def test_subject_fields_are_a_setting(settings: Any) -> None:
    body = json.dumps({"nguoi": {"MaCongDan": "079201000001"}, "SoDinhDanh": "12"}).encode()
    found = subjects_of(
        query="soDinhDanh=001090012345", request_body=body, request_type="application/json",
        response_body=b"", response_type="",
    )  # fmt: skip
    assert found == (("001090012345",), ())  # "12" is no ID number; MaCongDan not a known field
    settings.MOTCUA_GATEWAY_SUBJECT_FIELDS = ["MaCongDan"]
    found = subjects_of(
        query="", request_body=body, request_type="application/json", response_body=b"", response_type=""
    )
    assert found == (("079201000001",), ())


def test_who_used_my_data_shows_the_system(client: Any, gw: GatewayForTests, citizen_an: Any) -> None:
    purpose = quote("Khám sức khỏe")
    gw.call("people", "congdan/tracuu", token=_soyte(gw), method="POST", body=LOOKUP, purpose=purpose)
    client.force_login(citizen_an)
    page = client.get(reverse("identity:who_used")).content.decode()
    assert 'data-kind="system"' in page
    # In words: the organisation and the service it read, not its client id, the path or the message id.
    assert "Hệ thống Thành viên soyte" in page
    assert "Đọc dữ liệu: Dịch vụ people" in page
    assert "Khám sức khỏe" in page
    assert "(soyte)" not in page
    assert "congdan/tracuu" not in page


def test_the_admin_audit_filters_per_client_system(
    client: Any, gw: GatewayForTests, admin_giang: Any
) -> None:
    gw.call("people", "congdan/tracuu", token=_soyte(gw), method="POST", body=LOOKUP, purpose="p")
    admin_giang.is_superuser = True
    admin_giang.save(update_fields=["is_superuser"])
    client.force_login(admin_giang)
    url = reverse("admin:identity_personaldataaccess_changelist")
    page = client.get(url, {"system": "Thành viên soyte (soyte)"}).content.decode()
    assert "Thành viên soyte (soyte)" in page
    assert "001090012345" in page
    assert client.get(url, {"system": "nobody"}).content.decode().count("001090012345") == 0


def test_an_officials_evidence_download_is_a_staff_read(
    client: Any, gw: GatewayForTests, admin_giang: Any, settings: Any, tmp_path: Any
) -> None:
    from motcua.gateway.models import MessageLog
    from motcua.gateway.services import log_seal_and_stamp
    from motcua.signatures.pki import pki_demo_build, pki_write

    pki_write(pki_demo_build(people={}), tmp_path)
    settings.MOTCUA_PKI_DIR = str(tmp_path)
    gw.call("people", "congdan/tracuu", token=_soyte(gw), method="POST", body=LOOKUP, message_id="ev-1",
            purpose="p")  # fmt: skip
    log_seal_and_stamp()
    client.force_login(admin_giang)
    log = MessageLog.objects.get(message_id="ev-1")
    assert client.get(f"/lgsp/nhat-ky/{log.pk}/bang-chung/").status_code == 200
    staff = PersonalDataAccess.objects.get(accessor_kind=AccessorKind.STAFF)
    assert staff.subject_id_number == CITIZEN
    assert staff.user == admin_giang
    assert "ev-1" in staff.data
    assert PersonalDataAccess.objects.filter(accessor_kind=AccessorKind.SYSTEM).count() == 1
