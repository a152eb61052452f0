"""Dossiers submitted on the national portal arrive through the gateway's delivery to our incoming
API, get our code, keep the national one, and enter the normal intake; sent twice, they are one."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import PDF_BYTES
from motcua.dossiers.workflow import DossierStatus
from motcua.dvcqg.models import NationalSubmission

URL = "/api/v1/lgsp/dvcqg/ho-so"


def _payload(version: Any, national_code: str = "DVC-261202-0001") -> dict[str, Any]:
    return {
        "MaHoSoQG": national_code,
        "MaTTHC": version.procedure.national_code,
        "MaTTHCDP": version.procedure.local_code,
        "ChuHoSo": "Trần Thị Mai",
        "LoaiDoiTuong": 1,
        "MaDoiTuong": "001190012345",
        "SoDienThoai": "0912345678",
        "TrichYeuHoSo": "Xin cấp giấy phép bản tin",
        "TaiLieuNop": [
            {
                "MaThanhPhanHoSo": c.code,
                "TenTepDinhKem": f"{c.code}.pdf",
                "NoiDungTep": base64.b64encode(PDF_BYTES).decode(),
            }
            for c in version.components.filter(required=True)
        ],
    }


def _post(client: Any, body: Any, *, member: str = "dvcqg", raw: bytes | None = None) -> Any:
    return client.post(
        URL,
        data=raw if raw is not None else json.dumps(body),
        content_type="application/json",
        headers={"X-Gateway-Client": member, "X-Message-Id": "m-1"},
    )


@pytest.fixture
def coded_components(bulletin_version: Any) -> Any:
    for number, component in enumerate(bulletin_version.components.order_by("order"), start=1):
        component.code = f"TP{number}"
        component.save(update_fields=["code"])
    return bulletin_version


def test_a_national_submission_gets_our_code_and_follows_the_normal_intake(
    client, coded_components, clerk_binh
) -> None:
    response = _post(client, _payload(coded_components))
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["error_code"] == 0
    assert answer["MaHoSoQG"] == "DVC-261202-0001"
    dossier = Dossier.objects.get(code=answer["MaHoSo"])
    assert dossier.status == DossierStatus.SUBMITTED
    assert dossier.channel == "online"
    assert dossier.components.filter(files__isnull=False).count() == 2
    assert NationalSubmission.objects.get(dossier=dossier).national_code == "DVC-261202-0001"
    # Sent again (a retry of the gateway or of the portal): the same dossier, nothing new.
    again = _post(client, _payload(coded_components))
    assert again.status_code == 200
    assert again.json()["MaHoSo"] == dossier.code
    assert Dossier.objects.count() == 1
    received = services.dossier_receive(dossier=dossier, clerk=clerk_binh)
    assert received.status in (DossierStatus.RECEIVED, DossierStatus.PROCESSING)


def test_only_the_national_portal_through_the_gateway_may_deliver(client, coded_components) -> None:
    response = _post(client, _payload(coded_components), member="csdldc")
    assert response.status_code == 403
    assert response.json()["error_code"] == 106
    response = client.post(
        URL,
        data="{}",
        content_type="application/json",
        REMOTE_ADDR="203.0.113.9",
        headers={"X-Gateway-Client": "dvcqg"},
    )
    assert response.status_code == 403
    assert response.json()["error"] == "IP_DISALLOWED"
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"MaHoSoQG": ""},
        {"MaTTHCDP": "", "MaTTHC": "9.999999"},
        {"MaDoiTuong": "123"},
        {"TaiLieuNop": "x"},
        {"TaiLieuNop": []},
        {"ChuHoSo": {"a": 1}},
    ],
)
def test_malformed_national_submissions_get_data_incorrect(client, coded_components, change) -> None:
    response = _post(client, {**_payload(coded_components), **change})
    assert response.status_code == 400
    assert response.json()["error_code"] == 500
    assert response.json()["error"] == "DATA_INCORRECT"
    assert not Dossier.objects.exists()


def test_garbage_gets_data_incorrect(client, coded_components) -> None:
    response = _post(client, None, raw=b"\xff not json")
    assert response.status_code == 400
    assert response.json()["error_code"] == 500
