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
    ("000.00.08.H99", "Công an tỉnh Minh Sơn", "CAT", AgencyLevel.DEPARTMENT, "000.00.00.H99", False),
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


def load_demo_agencies() -> None:
    """Idempotent: update_or_create by code."""
    for code, name, abbr, level, parent_code, centre in AGENCIES:
        Agency.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "abbreviation": abbr,
                "level": level,
                "is_service_centre": centre,
                "parent": Agency.objects.get(code=parent_code) if parent_code else None,
                "valid_from": REFORM
                if level in (AgencyLevel.COMMUNE, AgencyLevel.UNIT)
                else dt.date(2008, 1, 1),
                "address": "Số 1 đường Trung tâm, phường Minh Khai, tỉnh Minh Sơn",
                "phone": "0208 3 800 800",
                "email": f"{abbr.lower()}@minhson.gov.vn",
            },
        )
    successor = Agency.objects.get(code="000.00.31.H99")
    for code, name, abbr, level, parent_code, centre in HISTORIC:
        Agency.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "abbreviation": abbr,
                "level": level,
                "is_service_centre": centre,
                "parent": Agency.objects.get(code=parent_code) if parent_code else None,
                "valid_from": dt.date(2008, 1, 1),
                "valid_to": dt.date(2025, 6, 30),
                "successor": successor,
                "legal_basis": "Sắp xếp đơn vị hành chính 2025 (dữ liệu mẫu): huyện không còn từ 01/07/2025",
            },
        )
    for hub in Agency.objects.filter(is_service_centre=True, valid_to__isnull=True):
        if hub.office_hours.exists():
            continue
        for weekday in range(5):
            OfficeHours.objects.create(
                agency=hub, weekday=weekday, opens_at=dt.time(7, 30), closes_at=dt.time(11, 30)
            )
            OfficeHours.objects.create(
                agency=hub, weekday=weekday, opens_at=dt.time(13, 30), closes_at=dt.time(17, 0)
            )
        if hub.code == "000.00.09.H99":
            # The provincial hub also opens on Saturday mornings (an example of a hub that differs).
            OfficeHours.objects.create(
                agency=hub, weekday=5, opens_at=dt.time(7, 30), closes_at=dt.time(11, 30)
            )
