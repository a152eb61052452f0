"""The fictional demo province, tỉnh Minh Sơn (level-1 code H99), after the 2025 two-tier reform."""

from __future__ import annotations

import datetime as dt

from motcua.agencies.models import Agency, AgencyLevel, OfficeHours

REFORM = dt.date(2025, 7, 1)
# code, name, abbreviation, level, parent code, is service centre
AGENCIES: list[tuple[str, str, str, str, str | None, bool]] = [
    ("000.00.00.H99", "Ủy ban nhân dân tỉnh Minh Sơn", "UBND", AgencyLevel.PROVINCE, None, False),
    ("000.00.01.H99", "Văn phòng Ủy ban nhân dân tỉnh", "VP", AgencyLevel.DEPARTMENT, "000.00.00.H99", False),
    (
        "000.00.09.H99",
        "Trung tâm Phục vụ hành chính công tỉnh Minh Sơn",
        "TTPVHCC",
        AgencyLevel.DEPARTMENT,
        "000.00.00.H99",
        True,
    ),
    (
        "000.00.02.H99",
        "Sở Văn hóa, Thể thao và Du lịch",
        "SVHTTDL",
        AgencyLevel.DEPARTMENT,
        "000.00.00.H99",
        False,
    ),
    ("000.01.02.H99", "Phòng Quản lý báo chí, xuất bản", "BCXB", AgencyLevel.UNIT, "000.00.02.H99", False),
    ("000.00.03.H99", "Sở Xây dựng", "SXD", AgencyLevel.DEPARTMENT, "000.00.00.H99", False),
    ("000.00.04.H99", "Sở Tư pháp", "STP", AgencyLevel.DEPARTMENT, "000.00.00.H99", False),
    ("000.00.05.H99", "Sở Khoa học và Công nghệ", "SKHCN", AgencyLevel.DEPARTMENT, "000.00.00.H99", False),
    ("000.00.06.H99", "Sở Tài chính", "STC", AgencyLevel.DEPARTMENT, "000.00.00.H99", False),
    ("000.00.07.H99", "Sở Nội vụ", "SNV", AgencyLevel.DEPARTMENT, "000.00.00.H99", False),
    ("000.00.08.H99", "Công an tỉnh", "CAT", AgencyLevel.DEPARTMENT, "000.00.00.H99", False),
    (
        "000.00.10.H99",
        "Sở Nông nghiệp và Môi trường",
        "SNNMT",
        AgencyLevel.DEPARTMENT,
        "000.00.00.H99",
        False,
    ),
    ("000.00.11.H99", "Sở Y tế", "SYT", AgencyLevel.DEPARTMENT, "000.00.00.H99", False),
    (
        "000.00.31.H99",
        "Ủy ban nhân dân phường Minh Khai",
        "UBND",
        AgencyLevel.COMMUNE,
        "000.00.00.H99",
        False,
    ),
    ("000.00.32.H99", "Ủy ban nhân dân xã Tân Lập", "UBND", AgencyLevel.COMMUNE, "000.00.00.H99", False),
    (
        "000.01.31.H99",
        "Trung tâm Phục vụ hành chính công phường Minh Khai",
        "TTPVHCC",
        AgencyLevel.UNIT,
        "000.00.31.H99",
        True,
    ),
    (
        "000.01.32.H99",
        "Trung tâm Phục vụ hành chính công xã Tân Lập",
        "TTPVHCC",
        AgencyLevel.UNIT,
        "000.00.32.H99",
        True,
    ),
    ("000.02.31.H99", "Công an phường Minh Khai", "CAP", AgencyLevel.UNIT, "000.00.31.H99", False),
]

HISTORIC: list[tuple[str, str, str, str, str | None, bool]] = [
    ("000.00.20.H99", "Ủy ban nhân dân huyện Sơn Cũ", "UBND", AgencyLevel.DISTRICT, "000.00.00.H99", False),
    (
        "000.01.20.H99",
        "Bộ phận Tiếp nhận và Trả kết quả huyện Sơn Cũ",
        "BPMC",
        AgencyLevel.UNIT,
        "000.00.20.H99",
        True,
    ),
]
# The district's duties passed to the ward; its one-stop unit's to the ward's service centre.
HISTORIC_SUCCESSORS = {"000.00.20.H99": "000.00.31.H99", "000.01.20.H99": "000.01.31.H99"}
HISTORIC_LEGAL_BASIS = "Nghị quyết 1656/NQ-UBTVQH15 (giả định cho dữ liệu mẫu)"

# Plausible contact details (fictional province): code -> (address, phone, e-mail).
_PROVINCE_SQUARE = "Số 1 Quảng trường Trung tâm, phường Minh Khai, tỉnh Minh Sơn"
CONTACTS: dict[str, tuple[str, str, str]] = {
    "000.00.00.H99": (_PROVINCE_SQUARE, "0208 3 800 100", "ubnd@minhson.gov.vn"),
    "000.00.01.H99": (_PROVINCE_SQUARE, "0208 3 800 101", "vp.ubnd@minhson.gov.vn"),
    "000.00.09.H99": (
        "Số 2 đường Hùng Vương, phường Minh Khai, tỉnh Minh Sơn",
        "0208 3 800 800",
        "ttpvhcc@minhson.gov.vn",
    ),
    "000.00.02.H99": (
        "Số 15 đường Lê Lợi, phường Minh Khai, tỉnh Minh Sơn",
        "0208 3 812 202",
        "svhttdl@minhson.gov.vn",
    ),
    "000.01.02.H99": (
        "Số 15 đường Lê Lợi, phường Minh Khai, tỉnh Minh Sơn",
        "0208 3 812 203",
        "baochi.svhttdl@minhson.gov.vn",
    ),
    "000.00.03.H99": (
        "Số 8 đường Trần Phú, phường Minh Khai, tỉnh Minh Sơn",
        "0208 3 813 303",
        "sxd@minhson.gov.vn",
    ),
    "000.00.04.H99": (
        "Số 10 đường Trần Phú, phường Minh Khai, tỉnh Minh Sơn",
        "0208 3 814 404",
        "stp@minhson.gov.vn",
    ),
    "000.00.05.H99": (
        "Số 21 đường Nguyễn Trãi, phường Minh Khai, tỉnh Minh Sơn",
        "0208 3 815 505",
        "skhcn@minhson.gov.vn",
    ),
    "000.00.06.H99": (
        "Số 23 đường Nguyễn Trãi, phường Minh Khai, tỉnh Minh Sơn",
        "0208 3 816 606",
        "stc@minhson.gov.vn",
    ),
    "000.00.07.H99": (
        "Số 25 đường Nguyễn Trãi, phường Minh Khai, tỉnh Minh Sơn",
        "0208 3 817 707",
        "snv@minhson.gov.vn",
    ),
    "000.00.08.H99": (
        "Số 3 đường Quang Trung, phường Minh Khai, tỉnh Minh Sơn",
        "069 2 818 808",
        "congantinh@minhson.gov.vn",
    ),
    "000.00.10.H99": (
        "Số 40 đường Hoàng Văn Thụ, phường Minh Khai, tỉnh Minh Sơn",
        "0208 3 819 910",
        "snnmt@minhson.gov.vn",
    ),
    "000.00.11.H99": (
        "Số 42 đường Hoàng Văn Thụ, phường Minh Khai, tỉnh Minh Sơn",
        "0208 3 820 011",
        "syt@minhson.gov.vn",
    ),
    "000.00.31.H99": (
        "Số 5 đường Chu Văn An, phường Minh Khai, tỉnh Minh Sơn",
        "0208 3 831 031",
        "ubnd.minhkhai@minhson.gov.vn",
    ),
    "000.01.31.H99": (
        "Số 5 đường Chu Văn An, phường Minh Khai, tỉnh Minh Sơn",
        "0208 3 831 131",
        "ttpvhcc.minhkhai@minhson.gov.vn",
    ),
    "000.02.31.H99": (
        "Số 7 đường Chu Văn An, phường Minh Khai, tỉnh Minh Sơn",
        "069 2 831 231",
        "congan.minhkhai@minhson.gov.vn",
    ),
    "000.00.32.H99": (
        "Thôn Trung Tâm, xã Tân Lập, tỉnh Minh Sơn",
        "0208 3 832 032",
        "ubnd.tanlap@minhson.gov.vn",
    ),
    "000.01.32.H99": (
        "Thôn Trung Tâm, xã Tân Lập, tỉnh Minh Sơn",
        "0208 3 832 132",
        "ttpvhcc.tanlap@minhson.gov.vn",
    ),
    "000.00.20.H99": (
        "Thị trấn Sơn Cũ, huyện Sơn Cũ, tỉnh Minh Sơn (trụ sở cũ)",
        "0208 3 720 020",
        "ubnd.soncu@minhson.gov.vn",
    ),
    "000.01.20.H99": (
        "Thị trấn Sơn Cũ, huyện Sơn Cũ, tỉnh Minh Sơn (trụ sở cũ)",
        "0208 3 720 120",
        "motcua.soncu@minhson.gov.vn",
    ),
}

# Synthetic tax codes (mã số thuế), as fictional as the province: 10 digits for an agency with its own
# accounts, the parent's code + "-" + 3 digits for a dependent unit. Printed on the e-receipts of the fees
# an agency collects (Decree 123/2020/NĐ-CP art. 32).
TAX_CODES: dict[str, str] = {
    "000.00.00.H99": "9900100001",
    "000.00.01.H99": "9900100012",
    "000.00.09.H99": "9900100094",
    "000.00.02.H99": "9900100023",
    "000.01.02.H99": "9900100023-001",
    "000.00.03.H99": "9900100034",
    "000.00.04.H99": "9900100045",
    "000.00.05.H99": "9900100056",
    "000.00.06.H99": "9900100067",
    "000.00.07.H99": "9900100078",
    "000.00.08.H99": "9900100089",
    "000.00.10.H99": "9900100105",
    "000.00.11.H99": "9900100116",
    "000.00.31.H99": "9900310001",
    "000.01.31.H99": "9900310001-001",
    "000.02.31.H99": "9900310001-002",
    "000.00.32.H99": "9900320002",
    "000.01.32.H99": "9900320002-001",
    "000.00.20.H99": "9900200009",
    "000.01.20.H99": "9900200009-001",
}

MORNING = (dt.time(7, 30), dt.time(11, 30))
AFTERNOON = (dt.time(13, 30), dt.time(17, 0))
# Centres whose week differs from Monday–Friday: the provincial centre also opens on Saturday mornings.
EXTRA_SESSIONS: dict[str, list[tuple[int, tuple[dt.time, dt.time]]]] = {"000.00.09.H99": [(5, MORNING)]}


def load_demo_agencies() -> None:
    """Idempotent: agencies are matched by code (update_or_create); office hours are set once."""
    for code, name, abbr, level, parent_code, centre in AGENCIES:
        _upsert(
            code,
            name,
            abbr,
            level,
            parent_code,
            centre,
            valid_from=REFORM if level in (AgencyLevel.COMMUNE, AgencyLevel.UNIT) else dt.date(2008, 1, 1),
        )
    for code, name, abbr, level, parent_code, centre in HISTORIC:
        _upsert(
            code,
            name,
            abbr,
            level,
            parent_code,
            centre,
            valid_from=dt.date(2008, 1, 1),
            valid_to=REFORM - dt.timedelta(days=1),
            successor=Agency.objects.get(code=HISTORIC_SUCCESSORS[code]),
            legal_basis=HISTORIC_LEGAL_BASIS,
        )
    for hub in Agency.objects.filter(is_service_centre=True):
        if hub.office_hours.exists():
            continue
        sessions = [(weekday, s) for weekday in range(5) for s in (MORNING, AFTERNOON)]
        sessions += EXTRA_SESSIONS.get(hub.code, [])
        OfficeHours.objects.bulk_create(
            OfficeHours(agency=hub, weekday=weekday, opens_at=opens, closes_at=closes)
            for weekday, (opens, closes) in sessions
        )


def _upsert(
    code: str,
    name: str,
    abbreviation: str,
    level: str,
    parent_code: str | None,
    is_service_centre: bool,
    *,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    successor: Agency | None = None,
    legal_basis: str = "",
) -> Agency:
    address, phone, email = CONTACTS.get(code, (_PROVINCE_SQUARE, "0208 3 800 100", ""))
    agency, _created = Agency.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "abbreviation": abbreviation,
            "level": level,
            "is_service_centre": is_service_centre,
            "parent": Agency.objects.get(code=parent_code) if parent_code else None,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "successor": successor,
            "legal_basis": legal_basis,
            "address": address,
            "phone": phone,
            "email": email,
            "tax_code": TAX_CODES.get(code, ""),
        },
    )
    return agency
