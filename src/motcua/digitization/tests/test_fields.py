"""Field extraction on OCR text (pure: no OCR here)."""

from __future__ import annotations

from motcua.digitization.fields import document_fields, page_fields, words_confidence

DECISION = """ỦY BAN NHÂN DÂN XÃ ĐIỆN BÀN
Số: 15/QĐ-UBND
Căn cứ Nghị định số 12/2024/NĐ-CP
Quảng Nam, ngày 20 tháng 11 năm 2026
Họ và tên: Trần Thị Bích Ngọc
Số định danh cá nhân: 049188004321
Ngày cấp: 01/07/2024"""

CARD = """CĂN CƯỚC CÔNG DÂN
Số / No.: 049088001234
Họ và tên / Full name:
NGUYỄN VĂN AN
Ngày sinh / Date of birth: 15/03/1988"""


def _kinds(fields: list[dict[str, object]], kind: str) -> list[object]:
    return [f["value"] for f in fields if f["kind"] == kind]


def test_fields_of_a_decision_with_page_numbers() -> None:
    fields = document_fields([("trang trắng", []), (DECISION, [])])
    assert _kinds(fields, "id_number") == ["049188004321"]
    assert _kinds(fields, "name") == ["Trần Thị Bích Ngọc"]
    assert _kinds(fields, "date") == ["2024-07-01", "2026-11-20"]
    assert _kinds(fields, "document_number") == ["15/QĐ-UBND", "12/2024/NĐ-CP"]
    assert {f["page"] for f in fields} == {2}


def test_id_card_number_name_and_birth_date() -> None:
    card = [f for f in page_fields(CARD, page=1) if f.kind == "id_card"]
    assert card[0].extra == {
        "id_number": "049088001234",
        "full_name": "NGUYỄN VĂN AN",
        "birth_date": "1988-03-15",
    }


def test_no_id_number_in_longer_digit_runs_and_no_impossible_dates() -> None:
    fields = document_fields([("Tài khoản 1234567890123 ngày 31/02/2024", [])])
    assert fields == []


def test_confidence_is_the_mean_of_the_words_of_the_value() -> None:
    words = [("Họ", 90.0), ("và", 91.0), ("tên:", 92.0), ("Trần", 80.0), ("Thị", 70.0), ("Ngọc", 60.0)]
    assert words_confidence("Trần Thị Ngọc", words) == 70.0
    assert words_confidence("Lê", words) is None
    field = next(f for f in page_fields("Họ và tên: Trần Thị Ngọc", page=3, words=words) if f.kind == "name")
    assert (field.page, field.confidence) == (3, 70.0)
