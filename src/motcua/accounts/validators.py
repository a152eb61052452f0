"""The 12-digit personal identification number (Law on Identification 26/2023, Decree 70/2024):
positions 1–3 birth-registration province code (001–096), position 4 century + sex, 5–6 year of birth."""

from __future__ import annotations

from motcua.core import clock

_CENTURY_BASE = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 2300, 9: 2300}


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
    year = _CENTURY_BASE[int(value[3])] + int(value[4:6])
    if year > clock.local_today().year:
        return "Năm sinh suy ra từ số định danh ở tương lai / The birth year in the ID is in the future."
    return ""
