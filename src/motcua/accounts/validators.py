"""The 12-digit personal identification number (Law on Identification 26/2023, Decree 70/2024), domain-vn
§4.4: positions 1–3 birth-registration province code (001–096), position 4 century + sex (1900s male 0 /
female 1, 2000s 2/3, 2100s 4/5, 2200s 6/7, 2300s 8/9), 5–6 the last two digits of the birth year,
7–12 a random sequence. There is no check digit."""

from __future__ import annotations

from typing import Literal

from motcua.core import clock

_CENTURY_BASE = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 2300, 9: 2300}


def national_id_birth_year_and_sex(value: str) -> tuple[int, Literal["male", "female"]]:
    """Birth year and sex encoded in a well-formed 12-digit number (call ``national_id_problem`` first)."""
    digit = int(value[3])
    return _CENTURY_BASE[digit] + int(value[4:6]), "male" if digit % 2 == 0 else "female"


def national_id_problem(value: str) -> str:
    """Empty string when valid, otherwise a message in Vietnamese and English."""
    if len(value) != 12 or not value.isdigit():
        return "Số định danh cá nhân gồm đúng 12 chữ số / The personal ID number has exactly 12 digits."
    province = int(value[:3])
    if not 1 <= province <= 96:
        return (
            "Ba số đầu (mã tỉnh nơi đăng ký khai sinh) không hợp lệ / "
            "The first three digits are not a province code."
        )
    year, _sex = national_id_birth_year_and_sex(value)
    if year > clock.local_today().year:
        return (
            "Chữ số thứ 4 (thế kỷ, giới tính) và năm sinh cho ra năm sinh ở tương lai / "
            "The century digit and birth year give a birth year in the future."
        )
    return ""
