"""Reading the calendar's legal data: the statutory days (``holidays`` package, Labor Code art. 112),
the Government's overrides for each year (data/official_schedules.json), and lunar proposals (vnlunar)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import holidays
import vnlunar

DATA_FILE = Path(__file__).parent / "data" / "official_schedules.json"


@dataclass(frozen=True)
class DayEntry:
    date: dt.date
    kind: str
    name: str
    source: str


@cache
def official_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return data


def _kind_from_name(name: str) -> str:
    if "nghỉ bù" in name:
        return "compensatory"
    if name.startswith("Ngày nghỉ (thay cho"):
        return "swap_off"
    return "holiday"


def official_days(years: Iterable[int]) -> list[DayEntry]:
    """Every day off and make-up working day of the given years, the overrides winning."""
    data = official_data()
    wanted = sorted(set(years))
    entries: dict[dt.date, DayEntry] = {}
    vn = holidays.country_holidays("VN", years=wanted, language="vi")
    for day, name in sorted(vn.items()):
        kind = _kind_from_name(name)
        source = data["compensatory_source"] if kind == "compensatory" else data["statutory_source"]
        entries[day] = DayEntry(day, kind, name, source)
    for day in getattr(vn, "weekend_workdays", set()):
        if day.year in wanted:
            entries[day] = DayEntry(day, "swap_work", "Ngày làm việc bù", data["statutory_source"])
    for item in data["overrides"]:
        day = dt.date.fromisoformat(item["date"])
        if day.year in wanted:
            entries[day] = DayEntry(day, item["kind"], item["name"], item["source"])
    return [entries[d] for d in sorted(entries)]


def lunar_to_solar(lunar_day: int, lunar_month: int, lunar_year: int) -> dt.date:
    # vnlunar computes in UTC+7 (the Vietnamese calendar); lunardate uses UTC+8 and is wrong for Vietnam.
    solar = vnlunar.get_solar_date(lunar_day, lunar_month, lunar_year)
    return dt.date(solar["year"], solar["month"], solar["day"])


def proposed_days(year: int, working_weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})) -> list[DayEntry]:
    """A draft schedule for ``year`` computed from the Labor Code: an administrator confirms it against
    the Government's official announcement (which usually adds swaps we cannot know in advance)."""
    basis = "Đề xuất tự động theo Bộ luật Lao động 2019, Điều 112 (chờ xác nhận theo thông báo của Chính phủ)"
    new_year = lunar_to_solar(1, 1, year)
    tet_eve = new_year - dt.timedelta(days=1)
    days: list[DayEntry] = [DayEntry(dt.date(year, 1, 1), "holiday", "Tết Dương lịch", basis)]
    # Five Tết days: the Government usually gives the eve (30 or 29 Tết) plus the first four days.
    for offset, label in enumerate(
        ["Giao thừa Tết Nguyên đán", "Mùng một Tết", "Mùng hai Tết", "Mùng ba Tết", "Mùng bốn Tết"]
    ):
        days.append(DayEntry(tet_eve + dt.timedelta(days=offset), "holiday", label, basis))
    days.append(DayEntry(lunar_to_solar(10, 3, year), "holiday", "Giỗ Tổ Hùng Vương (10/3 âm lịch)", basis))
    days.append(DayEntry(dt.date(year, 4, 30), "holiday", "Ngày Chiến thắng", basis))
    days.append(DayEntry(dt.date(year, 5, 1), "holiday", "Ngày Quốc tế Lao động", basis))
    national = dt.date(year, 9, 2)
    adjacent = (
        national - dt.timedelta(days=1)
        if national.weekday() in (1, 2, 3)
        else national + dt.timedelta(days=1)
    )
    days.append(DayEntry(national, "holiday", "Quốc khánh", basis))
    days.append(DayEntry(adjacent, "holiday", "Quốc khánh (ngày liền kề)", basis))
    taken = {d.date for d in days}
    compensations = []
    for entry in days:
        if entry.date.weekday() not in working_weekdays:
            candidate = entry.date + dt.timedelta(days=1)
            while candidate in taken or candidate.weekday() not in working_weekdays:
                candidate += dt.timedelta(days=1)
            taken.add(candidate)
            compensations.append(DayEntry(candidate, "compensatory", f"Nghỉ bù {entry.name}", basis))
    return sorted(days + compensations, key=lambda e: e.date)
