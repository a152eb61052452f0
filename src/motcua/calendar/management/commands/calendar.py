"""``motcua calendar seed|propose YEAR|show YEAR``."""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.calendar.models import CalendarException


def _years(raw: str) -> range:
    match = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", raw.strip())
    if not match:
        raise CommandError(f"Năm không hợp lệ: {raw!r} (ví dụ 2024-2027) / Invalid years: {raw!r}")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if last < first:
        raise CommandError("Năm kết thúc phải sau năm bắt đầu / The last year must follow the first.")
    return range(first, last + 1)


class Command(BaseCommand):
    help = "Working-day calendar: seed official days, propose a new year (lunar dates), show a year."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        seed = sub.add_parser("seed", help="load the official days (default 2024-2027)")
        seed.add_argument("--years", default="2024-2027")
        propose = sub.add_parser(
            "propose", help="propose the days off of YEAR for an administrator to confirm"
        )
        propose.add_argument("year", type=int)
        show = sub.add_parser("show", help="list the days off and make-up days of YEAR")
        show.add_argument("year", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.calendar.services import calendar_propose_year, calendar_seed

        action = options["action"]
        if action == "seed":
            changed = calendar_seed(years=_years(options["years"]))
            self.stdout.write(f"Calendar seeded ({changed} rows created or changed).")
        elif action == "propose":
            year = options["year"]
            if not 1900 <= year <= 2199:
                raise CommandError("Năm không hợp lệ / Invalid year.")
            created = calendar_propose_year(year=year)
            self.stdout.write(f"Đề xuất lịch nghỉ năm {year} (chờ xác nhận) / Proposed days off for {year}:")
            for row in created:
                self.stdout.write(f"  {row.date:%a %d/%m/%Y}  {row.get_kind_display():<24} {row.name}")
            if not created:
                self.stdout.write("  (không có ngày mới — các ngày đã có trong lịch / nothing new)")
            self.stdout.write("Xác nhận trong trang quản trị: Lịch làm việc › Ngày nghỉ / làm bù.")
        else:
            for row in CalendarException.objects.filter(date__year=options["year"]).order_by("date"):
                state = "" if row.confirmed else " [chưa xác nhận]"
                self.stdout.write(
                    f"{row.date:%a %d/%m/%Y}  {row.kind:<12} {row.name}{state}  — {row.source_document}"
                )
