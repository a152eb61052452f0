"""A stand-in for the national population database (CSDLQG về dân cư, domain-vn.md §4.4), ``motcua
sim-population serve --port 8712``: look-up of a citizen by the 12-digit personal ID number with the full
name (and, when given, the date of birth), each look-up with a stated purpose (``X-Purpose`` or ``MucDich``).

``POST /api/v1/congdan/tracuu`` ``{"SoDinhDanh", "HoVaTen", "NgayThangNam": "yyyyMMdd", "MucDich"}`` →
``{"MaKetQua": "00", "CongDan": {...}}`` (the C06 "CongDan" record: ``SoDinhDanh``,
``HoVaTen{Ho, ChuDem, Ten}``, ``GioiTinh``, ``NgayThangNam``,
``ThuongTru{MaTinhThanh, MaQuanHuyen, MaPhuongXa, ChiTiet, QuocGia}`` …),
``"01"`` not found, ``"02"`` found but the name or date of birth do not match (the record is NOT returned,
only which fields differ). Malformed input: ``500 DATA_INCORRECT`` with a message. The data are synthetic
and seeded (the same seed gives the same people); the demo citizens of ``accounts.demo`` are among them."""

from __future__ import annotations

import random
import threading
import unicodedata
from datetime import date, timedelta
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from typing import Any

from motcua.simulators.national_http import Faults, Request, Route, data_incorrect, json_server, purpose_of

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
]
MIDDLE_MALE = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Thành"]
MIDDLE_FEMALE = ["Thị", "Ngọc", "Thu", "Thanh", "Mai", "Phương", "Kim"]
GIVEN_MALE = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Hùng",
    "Khoa",
    "Long",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Tuấn",
]
GIVEN_FEMALE = [
    "Anh",
    "Chi",
    "Dung",
    "Hà",
    "Hạnh",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Nga",
    "Thảo",
    "Trang",
    "Vy",
]
# (pre-2025 province code, name, a district code, a ward code, a street) — codes as in the ID numbers.
PLACES = [
    ("001", "Thành phố Hà Nội", "001", "00004", "phố Đội Cấn, phường Ba Đình"),
    ("079", "Thành phố Hồ Chí Minh", "760", "26734", "đường Lê Lợi, phường Bến Nghé"),
    ("031", "Thành phố Hải Phòng", "303", "11311", "đường Lạch Tray, phường Lạch Tray"),
    ("048", "Thành phố Đà Nẵng", "492", "20194", "đường Bạch Đằng, phường Hải Châu I"),
    ("089", "Tỉnh An Giang", "883", "30280", "đường Tôn Đức Thắng, phường Mỹ Bình"),
    ("038", "Tỉnh Thanh Hóa", "380", "14758", "đường Lê Hoàn, phường Điện Biên"),
]

# The demo citizens of accounts/demo.py (username an, lan), so that the demo finds them.
DEMO_PEOPLE = [
    ("001090012345", "Nguyễn", "Văn", "An", "1", date(1990, 3, 15), 0),
    ("001195006789", "Trần", "Thị", "Lan", "2", date(1995, 7, 20), 0),
]


def normalise_name(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())


def _address(place: tuple[str, str, str, str, str], number: int) -> dict[str, str]:
    province, province_name, district, ward, street = place
    return {
        "MaTinhThanh": province,
        "MaQuanHuyen": district,
        "MaPhuongXa": ward,
        "ChiTiet": f"Số {number} {street}, {province_name}",
        "QuocGia": "VN",
    }


def _century_digit(born: date, sex: str) -> str:
    base = {1900: 0, 2000: 2, 2100: 4}[born.year // 100 * 100]
    return str(base + (1 if sex == "2" else 0))


def _person(
    rng: random.Random, id_number: str, ho: str, chu_dem: str, ten: str, sex: str, born: date, place_i: int
) -> dict[str, Any]:
    place = PLACES[place_i]
    home = _address(place, rng.randint(1, 300))
    father = f"{ho} {rng.choice(MIDDLE_MALE)} {rng.choice(GIVEN_MALE)}"
    mother = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_FEMALE)} {rng.choice(GIVEN_FEMALE)}"
    return {
        "SoDinhDanh": id_number,
        "SoCMND": "",
        "SoCCCD": id_number,
        "HoVaTen": {"Ho": ho, "ChuDem": chu_dem, "Ten": ten},
        "GioiTinh": sex,  # 1 nam, 2 nữ (danh mục giới tính)
        "DanToc": "01",  # Kinh
        "TonGiao": "00",  # không
        "TinhTrangHonNhan": rng.choice(["1", "2"]),  # 1 chưa kết hôn, 2 đã kết hôn
        "NhomMau": rng.choice(["1", "2", "3", "4"]),
        "NamSinh": str(born.year),
        "NgayThangNam": born.strftime("%Y%m%d"),
        "NoiDangKyKhaiSinh": _address(place, 1) | {"ChiTiet": place[1]},
        "QuocTich": "VN",
        "QueQuan": _address(place, 1) | {"ChiTiet": place[1]},
        "ThuongTru": home,
        "NoiOHienTai": home,
        "Cha": {"HoVaTen": father, "QuocTich": "VN", "SoDinhDanh": "", "SoCMND": ""},
        "Me": {"HoVaTen": mother, "QuocTich": "VN", "SoDinhDanh": "", "SoCMND": ""},
        "VoChong": None,
        "NguoiDaiDien": None,
        "ChuHo": {
            "QuanHe": "Chủ hộ",
            "SoDinhDanh": id_number,
            "SoCMND": "",
            "HoVaTen": f"{ho} {chu_dem} {ten}",
        },
        "SoSoHoKhau": f"{place[0]}{rng.randint(10_000_000, 99_999_999)}",
    }


def population_seed(*, seed: int = 2026, count: int = 500) -> dict[str, dict[str, Any]]:
    """The synthetic register: the demo citizens plus ``count`` seeded people, keyed by ID number."""
    rng = random.Random(seed)  # noqa: S311 (synthetic data, reproducible on purpose)
    people: dict[str, dict[str, Any]] = {}
    for id_number, ho, chu_dem, ten, sex, born, place_i in DEMO_PEOPLE:
        people[id_number] = _person(rng, id_number, ho, chu_dem, ten, sex, born, place_i)
    while len(people) < count + len(DEMO_PEOPLE):
        sex = rng.choice(["1", "2"])
        born = date(1940, 1, 1) + timedelta(days=rng.randint(0, 365 * 80))
        place_i = rng.randrange(len(PLACES))
        serial = rng.randint(0, 999_999)
        id_number = f"{PLACES[place_i][0]}{_century_digit(born, sex)}{born.year % 100:02d}{serial:06d}"
        if id_number in people:
            continue
        middle = MIDDLE_MALE if sex == "1" else MIDDLE_FEMALE
        given = GIVEN_MALE if sex == "1" else GIVEN_FEMALE
        people[id_number] = _person(
            rng, id_number, rng.choice(FAMILY), rng.choice(middle), rng.choice(given), sex, born, place_i
        )
    return people


def full_name(record: dict[str, Any]) -> str:
    name = record["HoVaTen"]
    return " ".join(part for part in (name["Ho"], name["ChuDem"], name["Ten"]) if part)


class PopulationDatabase:
    """The register and its look-up log (who asked, for what purpose): thread-safe."""

    def __init__(self, *, seed: int = 2026, count: int = 500) -> None:
        self.people = population_seed(seed=seed, count=count)
        self.faults = Faults()
        self.lookups: list[dict[str, str]] = []
        self._lock = threading.Lock()

    def lookup(self, request: Request) -> tuple[int, Any]:
        body = request.json()
        purpose = purpose_of(request, body)
        id_number = str(body.get("SoDinhDanh") or "").strip()
        if len(id_number) != 12 or not id_number.isdigit():
            raise data_incorrect(
                "SoDinhDanh phải gồm đúng 12 chữ số.", "SoDinhDanh must be exactly 12 digits."
            )
        name = body.get("HoVaTen")
        if not isinstance(name, str) or not name.strip():
            raise data_incorrect("Thiếu HoVaTen (họ và tên).", "HoVaTen (the full name) is required.")
        born = body.get("NgayThangNam")
        if born not in (None, "") and (not isinstance(born, str) or len(born) != 8 or not born.isdigit()):
            raise data_incorrect(
                "NgayThangNam phải có dạng yyyyMMdd.", "NgayThangNam must be written yyyyMMdd."
            )
        with self._lock:
            self.lookups.append(
                {
                    "SoDinhDanh": id_number,
                    "MucDich": purpose,
                    "client": request.headers.get("x-gateway-client", ""),
                }
            )
        record = self.people.get(id_number)
        if record is None:
            return HTTPStatus.OK, {"MaKetQua": "01", "MoTa": "Không tìm thấy công dân có số định danh này."}
        differing = []
        if normalise_name(full_name(record)) != normalise_name(name):
            differing.append("HoVaTen")
        if born and born != record["NgayThangNam"]:
            differing.append("NgayThangNam")
        if differing:
            return HTTPStatus.OK, {
                "MaKetQua": "02",
                "MoTa": "Thông tin cung cấp không khớp với Cơ sở dữ liệu quốc gia về dân cư.",
                "TruongKhongKhop": differing,
            }
        return HTTPStatus.OK, {"MaKetQua": "00", "MoTa": "Thành công", "CongDan": record}

    def route(self, request: Request) -> Route | None:
        if request.method == "POST" and request.path.rstrip("/") == "/api/v1/congdan/tracuu":
            return self.lookup
        return None


def population_server(
    *, db: PopulationDatabase, host: str = "127.0.0.1", port: int = 8712
) -> ThreadingHTTPServer:
    return json_server(name="Population", routes=db.route, faults=db.faults, host=host, port=port)
