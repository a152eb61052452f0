"""The simulators on their own (no database): the national shapes, the LGSP error codes for malformed
input, and that they answer only requests that came through the gateway."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from motcua.simulators.business import DEMO_CODE, BusinessRegistry, business_server
from motcua.simulators.national_http import serve_in_thread
from motcua.simulators.population import PopulationDatabase, population_seed, population_server
from motcua.simulators.post import PostService, post_server, s10_check_digit
from motcua.testing.gateway import http_call

VIA_GATEWAY = {"X-Gateway-Client": "motcua", "X-Purpose": "HS:TEST", "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def urls() -> Iterator[dict[str, Any]]:
    population, business, post = PopulationDatabase(count=20), BusinessRegistry(count=5), PostService()
    servers = [
        population_server(db=population, port=0),
        business_server(registry=business, port=0),
        post_server(service=post, port=0),
    ]
    for server in servers:
        serve_in_thread(server)
    names = ("population", "business", "post")
    yield {
        name: f"http://127.0.0.1:{s.server_address[1]}" for name, s in zip(names, servers, strict=True)
    } | {"post_service": post}
    for server in servers:
        server.shutdown()
        server.server_close()


def _post(url: str, body: Any, headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    status, _, raw = http_call(
        url, method="POST", body=data, headers=VIA_GATEWAY if headers is None else headers
    )
    return status, json.loads(raw)


def test_the_seed_is_reproducible_and_holds_valid_id_numbers() -> None:
    first, second = population_seed(count=100), population_seed(count=100)
    assert first == second
    assert "001090012345" in first  # the demo citizen "an"
    for number, record in first.items():
        assert len(number) == 12
        assert number.isdigit()
        assert 1 <= int(number[:3]) <= 96
        assert record["NgayThangNam"][2:4] == number[4:6]  # the birth year is in the number
        assert set(record["ThuongTru"]) == {"MaTinhThanh", "MaQuanHuyen", "MaPhuongXa", "ChiTiet", "QuocGia"}


def test_population_lookup_found_mismatch_and_not_found(urls: dict[str, Any]) -> None:
    url = urls["population"] + "/api/v1/congdan/tracuu"
    status, found = _post(
        url, {"SoDinhDanh": "001090012345", "HoVaTen": "NGUYỄN  văn an", "NgayThangNam": "19900315"}
    )
    assert status == 200
    assert found["MaKetQua"] == "00"
    assert found["CongDan"]["HoVaTen"] == {"Ho": "Nguyễn", "ChuDem": "Văn", "Ten": "An"}
    _, mismatch = _post(url, {"SoDinhDanh": "001090012345", "HoVaTen": "Nguyễn Văn Ân"})
    assert mismatch["MaKetQua"] == "02"
    assert mismatch["TruongKhongKhop"] == ["HoVaTen"]
    assert "CongDan" not in mismatch  # a mismatch never discloses the record
    _, wrong_birth = _post(
        url, {"SoDinhDanh": "001090012345", "HoVaTen": "Nguyễn Văn An", "NgayThangNam": "19900316"}
    )
    assert wrong_birth["TruongKhongKhop"] == ["NgayThangNam"]
    _, missing = _post(url, {"SoDinhDanh": "001099999999", "HoVaTen": "Ai Đó"})
    assert missing["MaKetQua"] == "01"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"not json", "JSON"),
        ([1, 2], "đối tượng JSON"),
        ({"SoDinhDanh": "12345", "HoVaTen": "A"}, "12 chữ số"),
        ({"SoDinhDanh": "001090012345"}, "HoVaTen"),
        ({"SoDinhDanh": "001090012345", "HoVaTen": "A", "NgayThangNam": "15/03/1990"}, "yyyyMMdd"),
    ],
)
def test_population_refuses_malformed_input_with_data_incorrect(
    urls: dict[str, Any], body: Any, fragment: str
) -> None:
    status, answer = _post(urls["population"] + "/api/v1/congdan/tracuu", body)
    assert status == 400
    assert answer["error_code"] == 500
    assert answer["error"] == "DATA_INCORRECT"
    assert fragment in answer["message"]
    assert answer["message_en"]


def test_a_lookup_needs_a_purpose_and_the_gateway(urls: dict[str, Any]) -> None:
    url = urls["population"] + "/api/v1/congdan/tracuu"
    body = {"SoDinhDanh": "001090012345", "HoVaTen": "Nguyễn Văn An"}
    status, answer = _post(url, body, {"X-Gateway-Client": "motcua"})
    assert status == 400
    assert "mục đích" in answer["message"]
    status, answer = _post(url, body, {"X-Purpose": "HS:1"})
    assert status == 401
    assert answer["error_code"] == 100
    assert answer["error"] == "AUTHEN_ERROR"


def test_business_lookup(urls: dict[str, Any]) -> None:
    status, _, raw = http_call(urls["business"] + f"/api/v1/doanhnghiep/{DEMO_CODE}", headers=VIA_GATEWAY)
    firm = json.loads(raw)
    assert status == 200
    assert firm["MaKetQua"] == "00"
    assert firm["DoanhNghiep"]["MaSoDoanhNghiep"] == DEMO_CODE
    assert firm["DoanhNghiep"]["TenDoanhNghiep"]
    _, _, raw = http_call(urls["business"] + "/api/v1/doanhnghiep/0000000001", headers=VIA_GATEWAY)
    assert json.loads(raw)["MaKetQua"] == "01"
    status, _, raw = http_call(urls["business"] + "/api/v1/doanhnghiep/12AB", headers=VIA_GATEWAY)
    assert status == 400
    assert json.loads(raw)["error"] == "DATA_INCORRECT"


def test_post_orders_are_idempotent_and_validated(urls: dict[str, Any]) -> None:
    order = {
        "CustomerOrderCode": "HS-1-PT1",
        "OrderType": "DELIVERY",
        "SenderFullname": "Trung tâm Phục vụ hành chính công",
        "SenderAddress": "Số 1 đường Trần Phú",
        "ReceiverFullname": "Nguyễn Văn An",
        "ReceiverAddress": "Số 5 phố Đội Cấn",
    }
    status, first = _post(urls["post"] + "/api/v1/orders", order)
    assert status == 200
    assert first["OrderStatus"] == "100"
    item = first["ItemCode"]
    assert item.startswith("EP")
    assert item.endswith("VN")
    assert int(item[10]) == s10_check_digit(item[2:10])
    _, again = _post(urls["post"] + "/api/v1/orders", order)
    assert again["ItemCode"] == item  # the same customer code: the same order
    status, refused = _post(
        urls["post"] + "/api/v1/orders", {**order, "ReceiverAddress": "", "OrderType": "X"}
    )
    assert status == 400
    assert refused["error"] == "DATA_INCORRECT"
    assert "ReceiverAddress" in refused["message"]
    # Advancing an order without a callback URL still moves its tracking.
    urls["post_service"].advance(item_code=item)
    _, _, raw = http_call(urls["post"] + f"/api/v1/orders/{item}", headers=VIA_GATEWAY)
    assert [t["OrderStatus"] for t in json.loads(raw)["Tracking"]] == ["100", "200"]
