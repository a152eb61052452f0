from __future__ import annotations

from motcua.core.text import fold_vietnamese


def test_fold_removes_marks_and_maps_d_with_stroke() -> None:
    assert fold_vietnamese("Đăng ký  khai sinh") == "dang ky khai sinh"


def test_fold_handles_stacked_marks() -> None:
    assert fold_vietnamese("CỘNG HÒA XÃ HỘI CHỦ NGHĨA") == "cong hoa xa hoi chu nghia"
