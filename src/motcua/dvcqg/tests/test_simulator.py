"""The simulator speaks the national shapes: session auth with dstcode, the five services, and the
national error codes (domain-vn.md §5) for bad credentials, agencies and malformed payloads."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from motcua.catalog.demo import DEMO_FILE
from motcua.simulators.dvcqg import NationalPortal, dvcqg_serve_in_thread, dvcqg_server, national_records


@pytest.fixture(scope="module")
def portal_url() -> Iterator[tuple[NationalPortal, str]]:
    portal = NationalPortal(procedures=national_records(json.loads(DEMO_FILE.read_bytes())))
    server = dvcqg_server(portal=portal, port=0)
    dvcqg_serve_in_thread(server)
    yield portal, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _post(url: str, body: Any, *, dstcode: str = "DVCQG", raw: bytes | None = None) -> tuple[int, Any]:
    data = raw if raw is not None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 — a loopback URL built by the test
        url, data=data, headers={"Content-Type": "application/json", "dstcode": dstcode}, method="POST"
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _session(url: str) -> str:
    status, answer = _post(f"{url}/auth", {"username": "motcua-h99", "password": "demo-dvcqg"})
    assert status == 200
    assert answer["error_code"] == 0
    return str(answer["session"])


def _call(url: str, service: str, **fields: Any) -> tuple[int, Any]:
    body = {"session": _session(url), "madonvi": "000.00.00.H99", "service": service, **fields}
    return _post(f"{url}/api", body)


def test_auth_needs_the_right_dstcode_and_password(portal_url: tuple[NationalPortal, str]) -> None:
    _, url = portal_url
    assert _post(f"{url}/auth", {"username": "motcua-h99", "password": "x"})[1]["error_code"] == 100
    status, answer = _post(f"{url}/auth", {"username": "motcua-h99", "password": "demo-dvcqg"}, dstcode="X")
    assert (status, answer["error_code"], answer["error"]) == (401, 100, "AUTHEN_ERROR")
    status, answer = _post(
        f"{url}/api", {"session": "forged", "madonvi": "H99", "service": "LayDanhSachTTHC"}
    )
    assert (status, answer["error_code"]) == (401, 100)


def test_procedures_are_listed_and_read_with_national_keys(portal_url: tuple[NationalPortal, str]) -> None:
    _, url = portal_url
    status, answer = _call(url, "LayDanhSachTTHC")
    assert status == 200
    codes = [p["MATTHC"] for p in answer["result"]]
    assert "1.001193" in codes
    _, answer = _call(url, "LayThuTuc", MaTTHC="1.001193")
    record = answer["result"]
    assert record["TENTTHC"] == "Đăng ký khai sinh"
    assert {"LINHVUCTHUCHIEN", "CACHTHUCTHUCHIEN", "THANHPHANHOSO", "CANCUPHAPLY"} <= set(record)


@pytest.mark.parametrize(
    ("service", "fields", "fragment"),
    [
        ("DongBoHoSoMC", {"data": "not a list"}, "data"),
        (
            "DongBoHoSoMC",
            {"data": [{"MaHoSo": "X", "MaTTHC": "1.001193", "TrangThaiHoSo": 11}]},
            "TrangThaiHoSo",
        ),
        (
            "DongBoHoSoMC",
            {
                "data": [
                    {"MaHoSo": "X", "MaTTHC": "1.001193", "TrangThaiHoSo": 2, "NgayTiepNhan": "2026-01-01"}
                ]
            },
            "NgayTiepNhan",
        ),
        ("DongBoHoSoMC", {"data": [{"MaHoSo": "X", "MaTTHC": "abc", "TrangThaiHoSo": 2}]}, "MaTTHC"),
        ("CapNhatTienDoHoSoMC", {"data": [{"MaHoSo": ""}]}, "MaHoSo"),
        ("TraCuuHoSo", {}, "MaHoSo"),
        ("LayThuTuc", {"MaTTHC": "9.999999"}, "9.999999"),
        ("KhongCo", {}, "KhongCo"),
    ],
)
def test_malformed_payloads_get_data_incorrect(
    portal_url: tuple[NationalPortal, str], service: str, fields: dict[str, Any], fragment: str
) -> None:
    portal, url = portal_url
    status, answer = _call(url, service, **fields)
    assert (status, answer["error_code"], answer["error"]) == (400, 500, "DATA_INCORRECT")
    assert fragment in answer["message"]
    assert "X" not in portal.dossiers


def test_garbage_and_unknown_agency(portal_url: tuple[NationalPortal, str]) -> None:
    _, url = portal_url
    status, answer = _post(f"{url}/api", None, raw=b"{not json")
    assert (status, answer["error_code"]) == (400, 500)
    status, answer = _post(f"{url}/api", {"session": _session(url), "madonvi": "", "service": "TraCuuHoSo"})
    assert (status, answer["error_code"], answer["error"]) == (403, 106, "AGENCY_ID_INCORRECT")


def test_a_synced_dossier_and_its_progress_are_looked_up_and_inspected(
    portal_url: tuple[NationalPortal, str],
) -> None:
    _, url = portal_url
    item = {"MaHoSo": "000.00.09.H99-260101-0001", "MaTTHC": "1.001193", "TrangThaiHoSo": 2}
    assert _call(url, "DongBoHoSoMC", isUpdating=False, data=[item])[1]["error_code"] == 0
    entry = {"MaHoSo": item["MaHoSo"], "MaTienDo": "a-1", "ThoiDiemXuLy": "20260101090000", "TrangThai": 2}
    _call(url, "CapNhatTienDoHoSoMC", data=[entry])
    _call(url, "CapNhatTienDoHoSoMC", data=[entry])  # a retry: kept once
    _, answer = _call(url, "TraCuuHoSo", MaHoSo=item["MaHoSo"])
    assert answer["result"]["TrangThaiHoSo"] == 2
    assert len(answer["result"]["TienDo"]) == 1
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{url}/inspect", timeout=5) as response:
        snapshot = json.loads(response.read())
    assert snapshot["dossiers"][item["MaHoSo"]]["TrangThaiHoSo"] == 2
    assert snapshot["calls"]["DongBoHoSoMC"] >= 1
    with opener.open(f"{url}/", timeout=5) as response:
        assert "Nộp hồ sơ" in response.read().decode()


def test_the_seeded_national_database_has_moved_on_for_two_procedures() -> None:
    catalogue = json.loads(DEMO_FILE.read_bytes())
    unchanged, changed = national_records(catalogue, changes=False), national_records(catalogue)
    assert set(unchanged) == set(changed)
    assert sum(unchanged[c] != changed[c] for c in changed) == 2
