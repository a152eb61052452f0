"""Reading the calendar's legal data.

* The **statute list** the project keeps itself (data/official_schedules.json ``statutory_holidays``: Labor
  Code 2019 art. 112(1), with the compensation of art. 111(3)), computed here with the Vietnamese lunar
  calendar (vnlunar).
* The Government's yearly **overrides** (swaps, make-up Saturdays, the days it fixed), each with its document.
* **Proposals**: days the ``holidays`` package knows that are in neither list (e.g. 24/11 "Ngày Văn hóa Việt
  Nam", which no enacted law makes a holiday yet). A library's reading never moves a deadline by itself: these
  are stored unconfirmed until an administrator checks them against the official schedule.
"""

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
from holidays.version import __version__ as holidays_version

DATA_FILE = Path(__file__).parent / "data" / "official_schedules.json"
MONDAY_TO_FRIDAY = frozenset({0, 1, 2, 3, 4})


@dataclass(frozen=True)
class DayEntry:
    date: dt.date
    kind: str
    name: str
    source: str
    note: str = ""


@cache
def official_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return data


def one_stop_transfer_cutoff() -> dt.time:
    """The one-stop unit's own cut-off for handing paper dossiers to the settling agency (received later:
    transferred the next working morning); the province's rule, kept as data with its source."""
    return dt.time.fromisoformat(official_data()["one_stop_transfer_cutoff"]["time"])


def _working_weekdays() -> frozenset[int]:
    return frozenset(official_data()["working_week"]["working_weekdays"])


def _kind_from_name(name: str) -> str:
    if "nghỉ bù" in name:
        return "compensatory"
    if name.startswith("Ngày nghỉ (thay cho"):
        return "swap_off"
    return "holiday"


def _tet_label(day: dt.date) -> str:
    lunar = vnlunar.get_lunar_date(day.day, day.month, day.year)
    if lunar["month"] == 1:
        return f"Mùng {lunar['day']} Tết"
    following = day + dt.timedelta(days=1)
    if vnlunar.get_lunar_date(following.day, following.month, following.year)["day"] == 1:
        return "Giao thừa"
    return f"{lunar['day']} tháng Chạp"


def _national_day_adjacent(national: dt.date) -> dt.date:
    # The Prime Minister picks the adjacent day each year (art. 112(3)); every schedule since 2021 took the
    # one that joins the weekend, the day before when 2/9 is a Tuesday or Wednesday (2025, 2026).
    before = national.weekday() in (1, 2, 4, 5)  # Tue, Wed, Fri, Sat
    return national - dt.timedelta(days=1) if before else national + dt.timedelta(days=1)


def statutory_days(year: int, working_weekdays: frozenset[int] | None = None) -> list[DayEntry]:
    """The public holidays of ``year`` by the statute list the project keeps, and their compensatory days.

    Tết is the 7-day window around lunar new year (exactly five Monday–Friday days, the five days of art.
    112(1)(b)); a holiday on a weekly rest day gives a compensatory day on the next working day (art. 111(3)).
    """
    weekdays = working_weekdays if working_weekdays is not None else _working_weekdays()
    data = official_data()
    statute = data["statutory_holidays"]
    law = statute["source"]
    days: dict[dt.date, DayEntry] = {}
    needs_compensation: list[dt.date] = []

    def add(day: dt.date, name: str, clause: str, chosen: bool = False) -> None:
        source = f"{law} điểm {clause}" + (f"; {statute['choice_source']}" if chosen else "")
        days[day] = DayEntry(day, "holiday", name, source)

    for item in statute["days"]:
        if "solar" in item:
            month, day_of_month = (int(p) for p in item["solar"].split("-"))
            day = dt.date(year, month, day_of_month)
            add(day, item["name"], item["clause"])
            needs_compensation.append(day)
            if item.get("adjacent_day"):
                adjacent = _national_day_adjacent(day)
                add(adjacent, f"{item['name']} (ngày liền kề)", item["clause"], chosen=True)
                needs_compensation.append(adjacent)
        elif "lunar" in item:
            month, day_of_month = (int(p) for p in item["lunar"].split("-"))
            day = lunar_to_solar(day_of_month, month, year)
            add(day, item["name"], item["clause"])
            needs_compensation.append(day)
        elif "lunar_new_year_window" in item:
            first, last = item["lunar_new_year_window"]
            new_year = lunar_to_solar(1, 1, year)
            for offset in range(first, last + 1):
                day = new_year + dt.timedelta(days=offset)
                add(day, f"{item['name']} ({_tet_label(day)})", item["clause"], chosen=True)
    for day in sorted(needs_compensation):
        if day.weekday() in weekdays:
            continue
        candidate = day + dt.timedelta(days=1)
        while candidate in days or candidate.weekday() not in weekdays:
            candidate += dt.timedelta(days=1)
        days[candidate] = DayEntry(
            candidate, "compensatory", f"Nghỉ bù {days[day].name}", data["compensatory_source"]
        )
    return [days[d] for d in sorted(days)]


def official_days(years: Iterable[int]) -> list[DayEntry]:
    """Every confirmed day off and make-up working day of the given years: the statute list, then the
    Government's overrides, which win."""
    data = official_data()
    wanted = sorted(set(years))
    entries: dict[dt.date, DayEntry] = {}
    for year in wanted:
        for entry in statutory_days(year):
            entries[entry.date] = entry
    for item in data["overrides"]:
        day = dt.date.fromisoformat(item["date"])
        if day.year in wanted:
            entries[day] = DayEntry(day, item["kind"], item["name"], item["source"])
    return [entries[d] for d in sorted(entries)]


def library_proposals(years: Iterable[int]) -> list[DayEntry]:
    """Days the ``holidays`` package adds that are not in ``official_days``: proposals, never confirmed.

    A day off the package puts on a weekly rest day changes no deadline and is left out."""
    data = official_data()
    wanted = sorted(set(years))
    weekdays = _working_weekdays()
    known = {e.date: e for e in official_days(wanted)}
    vn = holidays.country_holidays("VN", years=wanted, language="vi")
    found: dict[dt.date, DayEntry] = {}
    package = f"gói holidays {holidays_version}"
    for day, name in sorted(vn.items()):
        if day in known or day.weekday() not in weekdays:
            continue
        source = f"{package}: “{name}” — không có trong Điều 112 khoản 1 Bộ luật Lao động 2019"
        found[day] = DayEntry(day, _kind_from_name(name), name, source[:255])
    for day in getattr(vn, "weekend_workdays", set()):
        if day.year in wanted and day not in known:
            found[day] = DayEntry(day, "swap_work", "Ngày làm việc bù", f"{package}: ngày làm bù")
    for item in data.get("proposals", []):
        for year in wanted:
            if year < item.get("from_year", year):
                continue
            month, day_of_month = (int(p) for p in item["month_day"].split("-"))
            day = dt.date(year, month, day_of_month)
            if day in known or day.weekday() not in weekdays:
                continue
            found[day] = DayEntry(day, item["kind"], item["name"], item["source"], item.get("note", ""))
    return [found[d] for d in sorted(found)]


def lunar_to_solar(lunar_day: int, lunar_month: int, lunar_year: int) -> dt.date:
    # vnlunar computes in UTC+7 (the Vietnamese calendar); lunardate uses UTC+8 and is wrong for Vietnam.
    solar = vnlunar.get_solar_date(lunar_day, lunar_month, lunar_year)
    return dt.date(solar["year"], solar["month"], solar["day"])


def proposed_days(year: int) -> list[DayEntry]:
    """A draft schedule for ``year`` from the statute list, for an administrator to confirm against the
    Government's official announcement (which usually adds swaps we cannot know in advance)."""
    basis = "Đề xuất tự động theo Bộ luật Lao động 2019, Điều 112 (chờ xác nhận theo thông báo của Chính phủ)"
    return [DayEntry(e.date, e.kind, e.name, basis) for e in statutory_days(year)]
