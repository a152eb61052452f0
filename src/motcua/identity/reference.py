"""The identity app's reference data: the purposes of processing personal data (with their legal basis, and
whether they need the citizen's consent) and the kinds of document the data store knows (mapped to catalogue
component names). Seeded by migration 0002 and again by ``identity_reference_seed`` wherever a flushed
test database needs them (a transactional test empties every table, data migrations included)."""

from __future__ import annotations

import datetime as dt
from typing import Any

PURPOSES = [
    (
        "thu_tuc_hanh_chinh",
        "Giải quyết thủ tục hành chính (tiếp nhận, thẩm định, trả kết quả)",
        False,
        "Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15 điều 19.1; Nghị định 61/2018/NĐ-CP",
    ),
    (
        "tra_cuu_csdlqg",
        "Tra cứu Cơ sở dữ liệu quốc gia về dân cư để điền sẵn và xác thực thông tin",
        False,
        "Luật Căn cước 2023 điều 10; Nghị định 45/2020/NĐ-CP điều 9 (không yêu cầu nộp lại)",
    ),
    (
        "tin_nhan_sms",
        "Nhận tin nhắn SMS về tiến độ hồ sơ",
        True,
        "Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15 điều 9; Nghị định 356/2025/NĐ-CP",
    ),
    (
        "khao_sat",
        "Mời tham gia khảo sát mức độ hài lòng",
        True,
        "Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15 điều 9; Nghị định 356/2025/NĐ-CP",
    ),
    (
        "chia_se_kho_du_lieu",
        "Cho cơ quan khác xem giấy tờ trong kho dữ liệu ngoài hồ sơ đang giải quyết",
        True,
        "Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15 điều 9; Nghị định 45/2020/NĐ-CP điều 16",
    ),
]

KINDS = [
    ("tinh_trang_hon_nhan", "Giấy xác nhận tình trạng hôn nhân", ["giấy xác nhận tình trạng hôn nhân"]),
    ("giay_to_tuy_than", "Thẻ căn cước / giấy tờ tùy thân", ["giấy tờ tùy thân", "thẻ căn cước", "hộ chiếu"]),
    ("suc_khoe", "Giấy khám sức khỏe", ["giấy khám sức khỏe", "giấy chứng nhận sức khỏe"]),
    ("cho_o", "Giấy tờ chứng minh chỗ ở hợp pháp", ["chỗ ở hợp pháp"]),
    ("dat_dai", "Giấy chứng nhận quyền sử dụng đất", ["quyền sử dụng đất", "giấy tờ hợp pháp về đất đai"]),
    ("khai_sinh", "Giấy khai sinh / trích lục khai sinh", ["giấy khai sinh", "nội dung khai sinh"]),
    ("bhxh", "Sổ bảo hiểm xã hội", ["sổ bảo hiểm xã hội"]),
    ("ly_lich_tu_phap", "Phiếu lý lịch tư pháp", ["phiếu lý lịch tư pháp"]),
    ("giay_phep_xay_dung", "Giấy phép xây dựng", ["giấy phép xây dựng đã được cấp"]),
    ("thong_tin_cong_dan", "Thông tin công dân (CSDLQG về dân cư)", []),
    # E-receipts of fees paid (payments.receipts): kept for the payer, never offered for a component.
    ("bien_lai_phi_le_phi", "Biên lai thu phí, lệ phí điện tử", []),
]


def identity_reference_seed(purpose_model: Any = None, kind_model: Any = None) -> None:
    """Create the purposes and document kinds that are missing; idempotent. The migration passes its
    historical models, everyone else the current ones."""
    if purpose_model is None or kind_model is None:
        from motcua.identity.models import ConsentPurpose, DocumentKind

        purpose_model, kind_model = ConsentPurpose, DocumentKind
    for code, name, needs, basis in PURPOSES:
        purpose_model.objects.get_or_create(
            code=code,
            valid_from=dt.date(2026, 1, 1),
            defaults={"name": name, "needs_consent": needs, "legal_basis": basis},
        )
    for code, name, names in KINDS:
        kind_model.objects.get_or_create(code=code, defaults={"name": name, "component_names": names})
