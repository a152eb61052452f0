"""Reference data the dossiers app ships with, loaded idempotently (``motcua demo``, migrations of a new
province): the satisfaction criteria in force and the internal-state → DVCQG ``TrangThaiHoSo`` table."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from motcua.dossiers.models import RatingCriterion, StatusCodeMapping
from motcua.dossiers.workflow import DEFAULT_NATIONAL_CODES, DossierStatus

# Before receipt there is no NgayTiepNhan: a 5 would count as a supplement during processing.
INTAKE_NOTE = "; yêu cầu bổ sung khi tiếp nhận (chưa có ngày tiếp nhận) giữ trạng thái 1"


def rating_criteria_seed() -> int:
    """Load the satisfaction criteria (data/rating_criteria.json); idempotent."""
    doc = json.loads((Path(__file__).parent / "data" / "rating_criteria.json").read_text(encoding="utf-8"))
    valid_from = dt.date.fromisoformat(doc["valid_from"])
    for order, item in enumerate(doc["criteria"]):
        RatingCriterion.objects.update_or_create(
            code=item["code"],
            valid_from=valid_from,
            defaults={
                "text": item["text"],
                "text_en": item.get("text_en", ""),
                "order": order,
                "legal_basis": doc["legal_basis"],
            },
        )
    return len(doc["criteria"])


def status_mapping_seed() -> int:
    """Seed the internal-state → DVCQG ``TrangThaiHoSo`` table from the workflow defaults; idempotent."""
    labels = {
        1: "Mới đăng ký",
        2: "Được tiếp nhận",
        3: "Không được tiếp nhận",
        4: "Đang xử lý",
        5: "Yêu cầu bổ sung giấy tờ",
        6: "Yêu cầu thực hiện nghĩa vụ tài chính",
        7: "Công dân yêu cầu rút hồ sơ",
        8: "Dừng xử lý",
        9: "Đã xử lý xong",
        10: "Đã trả kết quả",
        0: "Chưa gửi (bản nháp)",
    }
    for status, code in DEFAULT_NATIONAL_CODES.items():
        StatusCodeMapping.objects.update_or_create(
            status=status,
            valid_from=dt.date(2018, 4, 23),
            defaults={
                "national_code": code,
                "national_label": labels[code],
                "legal_basis": "Danh mục trạng thái hồ sơ đồng bộ Cổng DVCQG (TrangThaiHoSo)"
                + (INTAKE_NOTE if status == DossierStatus.INTAKE_SUPPLEMENT else ""),
            },
        )
    return len(DEFAULT_NATIONAL_CODES)
