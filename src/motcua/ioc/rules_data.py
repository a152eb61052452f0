"""The indicators of the national index our data can feed, as first loaded (migration
``0002_indicator_rules_766``): points [R] from the 2026 reconstruction reconciled with DVCQG's charts,
formulas [C] from "Mô tả công thức tính chỉ số 766" (legal-review.md §B). A new formula from the national
portal is a new ``IndicatorRule`` row with its ``valid_from`` (admin), not a code change."""

from __future__ import annotations

import datetime as dt

BASIS = (
    "Quyết định 766/QĐ-TTg ngày 23/06/2022; cách tính theo Cổng DVCQG "
    '("Mô tả công thức tính chỉ số 766"), điểm theo bảng đối chiếu 2026 [R]'
)
VALID_FROM = dt.date(2022, 6, 23)

GROUPS = {
    "CKMB": "Công khai, minh bạch",
    "TDGQ": "Tiến độ, kết quả giải quyết",
    "CLGQ": "Dịch vụ công trực tuyến",
    "TTTT": "Thanh toán trực tuyến",
    "MDSH": "Số hóa hồ sơ",
    "MDHL": "Mức độ hài lòng",
}

# code, name, group, measure, max points, threshold, formula
INDICATORS: tuple[tuple[str, str, str, str, str, str | None, str], ...] = (
    (
        "1.4",
        "Tỷ lệ hồ sơ đồng bộ lên Cổng DVCQG",
        "CKMB",
        "synced",
        "6",
        None,
        "Hồ sơ đã đồng bộ có ngày tiếp nhận trong kỳ ÷ hồ sơ tiếp nhận trong kỳ",
    ),
    (
        "2.1",
        "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn",
        "TDGQ",
        "on_time",
        "20",
        None,
        "(Hồ sơ đã xử lý + đang xử lý trước hạn, đúng hạn) ÷ hồ sơ tiếp nhận, xử lý trong kỳ; "
        "kết thúc theo ưu tiên 9 > 10 > dừng/từ chối/rút; chờ bổ sung → lúc yêu cầu; "
        "bổ sung lần 2 → quá hạn; "
        "trừ thời gian bổ sung; không có ngày tiếp nhận → không tính",
    ),
    (
        "3.3",
        "Tỷ lệ hồ sơ trực tuyến",
        "CLGQ",
        "online",
        "0",
        "0.5",
        "Hồ sơ KenhThucHien=2 (và có kết quả điện tử nếu kết quả là văn bản) ÷ hồ sơ tiếp nhận (theo dõi)",
    ),
    (
        "3.6",
        "Tỷ lệ hồ sơ thanh toán trực tuyến",
        "TTTT",
        "paid_online",
        "6",
        None,
        "Hồ sơ DuocThanhToanTrucTuyen ∈ {1, 2} ÷ (hồ sơ có phí − hồ sơ phí bằng 0)",
    ),
    (
        "4.1",
        "Tỷ lệ hồ sơ có kết quả giải quyết điện tử",
        "MDSH",
        "e_result",
        "6",
        None,
        "Hồ sơ có tệp kết quả điện tử ÷ hồ sơ của TTHC có kết quả là văn bản",
    ),
    (
        "4.2",
        "Tỷ lệ hồ sơ thực hiện số hóa",
        "MDSH",
        "digitised",
        "4",
        "0.8",
        "Hồ sơ có thành phần số hóa và kết quả điện tử ÷ hồ sơ tiếp nhận",
    ),
    (
        "4.3",
        "Tỷ lệ hồ sơ khai thác, sử dụng lại dữ liệu số hóa",
        "MDSH",
        "reused",
        "2",
        "0.8",
        "Hồ sơ có ≥ 1 thành phần HoSoCoThanhPhanSoHoa=1 / DuocSoHoa=1 ÷ hồ sơ tiếp nhận",
    ),
    (
        "4.4",
        "Hồ sơ số hóa có kết nối, chia sẻ phục vụ tái sử dụng",
        "MDSH",
        "store",
        "4",
        None,
        "Hồ sơ có thành phần DuocLayTuKhoDMQG=1 ÷ hồ sơ tiếp nhận",
    ),
    (
        "4.5b",
        "Hồ sơ sử dụng thông tin từ CSDL dân cư",
        "MDSH",
        "population",
        "2",
        None,
        "Hồ sơ TaiKhoanDuocXacThucVoiVNeID=1 hoặc lấy từ kho ÷ hồ sơ tiếp nhận",
    ),
    (
        "5.4",
        "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC",
        "MDHL",
        "satisfaction",
        "6",
        "0.9",
        "100 % − (tỷ lệ hồ sơ quá hạn + tỷ lệ hồ sơ bị đánh giá không hài lòng/phản ánh)",
    ),
)
