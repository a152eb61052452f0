"""A stand-in for the national business registration database (CSDLQG về đăng ký doanh nghiệp), ``motcua
sim-business serve --port 8713``: an enterprise by its code (mã số doanh nghiệp, 10 digits; a branch or
dependent unit adds ``-NNN``).

``GET /api/v1/doanhnghiep/<MaSoDoanhNghiep>`` → ``{"MaKetQua": "00", "DoanhNghiep": {"MaSoDoanhNghiep",
"TenDoanhNghiep", "TenTiengNuocNgoai", "TenVietTat", "LoaiHinhDoanhNghiep", "TinhTrangHoatDong",
"NgayThanhLap", "DiaChiTruSo{MaTinhThanh, MaPhuongXa, ChiTiet, QuocGia}",
"NguoiDaiDienPhapLuat{HoVaTen, ChucDanh}", "VonDieuLe"}}``,
``"01"`` not found; a malformed code is ``500 DATA_INCORRECT``. Synthetic, seeded data."""

from __future__ import annotations

import random
import re
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from typing import Any

from motcua.simulators.national_http import Faults, Request, Route, data_incorrect, json_server
from motcua.simulators.population import FAMILY, GIVEN_MALE, MIDDLE_MALE, PLACES

CODE_RE = re.compile(r"^\d{10}(-\d{3})?$")
KINDS = [
    ("Công ty trách nhiệm hữu hạn một thành viên", "TNHH MTV"),
    ("Công ty trách nhiệm hữu hạn hai thành viên trở lên", "TNHH"),
    ("Công ty cổ phần", "CP"),
    ("Doanh nghiệp tư nhân", "DNTN"),
]
TRADES = ["Thương mại", "Xây dựng", "Du lịch", "Vận tải", "Nông sản", "Công nghệ", "In ấn", "Thực phẩm"]
WORDS = ["Hòa Bình", "Sông Hồng", "Phương Nam", "Bình Minh", "Đại Việt", "Hưng Thịnh", "An Phát", "Kim Long"]
DEMO_CODE = "0109999999"


def business_seed(*, seed: int = 2026, count: int = 200) -> dict[str, dict[str, Any]]:
    rng = random.Random(seed)  # noqa: S311 (synthetic data, reproducible on purpose)
    firms: dict[str, dict[str, Any]] = {}
    while len(firms) < count:
        code = DEMO_CODE if not firms else f"0{rng.randint(100_000_000, 999_999_999)}"
        kind, short = rng.choice(KINDS)
        trade, word = rng.choice(TRADES), rng.choice(WORDS)
        province, province_name, _district, ward, street = rng.choice(PLACES)
        firms[code] = {
            "MaSoDoanhNghiep": code,
            "TenDoanhNghiep": f"{kind.upper()} {trade.upper()} {word.upper()}",
            "TenTiengNuocNgoai": f"{word} {trade} Company Limited",
            "TenVietTat": f"{short} {word}",
            "LoaiHinhDoanhNghiep": kind,
            "TinhTrangHoatDong": rng.choice(["Đang hoạt động"] * 8 + ["Tạm ngừng kinh doanh", "Đã giải thể"]),
            "NgayThanhLap": f"{rng.randint(2000, 2025)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}",
            "DiaChiTruSo": {
                "MaTinhThanh": province,
                "MaPhuongXa": ward,
                "ChiTiet": f"Số {rng.randint(1, 500)} {street}, {province_name}",
                "QuocGia": "VN",
            },
            "NguoiDaiDienPhapLuat": {
                "HoVaTen": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_MALE)} {rng.choice(GIVEN_MALE)}",
                "ChucDanh": "Giám đốc",
            },
            "VonDieuLe": rng.randint(1, 500) * 100_000_000,
        }
    return firms


class BusinessRegistry:
    def __init__(self, *, seed: int = 2026, count: int = 200) -> None:
        self.firms = business_seed(seed=seed, count=count)
        self.faults = Faults()

    def lookup(self, request: Request) -> tuple[int, Any]:
        code = request.path.rstrip("/").rsplit("/", 1)[-1]
        if not CODE_RE.match(code):
            raise data_incorrect(
                "Mã số doanh nghiệp gồm 10 chữ số (đơn vị phụ thuộc thêm -NNN).",
                "An enterprise code has 10 digits (a dependent unit adds -NNN).",
            )
        firm = self.firms.get(code)
        if firm is None:
            return HTTPStatus.OK, {"MaKetQua": "01", "MoTa": "Không tìm thấy doanh nghiệp có mã số này."}
        return HTTPStatus.OK, {"MaKetQua": "00", "MoTa": "Thành công", "DoanhNghiep": firm}

    def route(self, request: Request) -> Route | None:
        if request.method == "GET" and request.path.startswith("/api/v1/doanhnghiep/"):
            return self.lookup
        return None


def business_server(
    *, registry: BusinessRegistry, host: str = "127.0.0.1", port: int = 8713
) -> ThreadingHTTPServer:
    return json_server(name="Business", routes=registry.route, faults=registry.faults, host=host, port=port)
