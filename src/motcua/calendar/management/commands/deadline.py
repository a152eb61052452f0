"""``motcua deadline --received ISO --limit N --unit UNIT [--centre CODE]``: the appointment, in ISO 8601,
computed by exactly the functions the dossiers use."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.calendar.deadlines import UnknownUnitError

UNITS = ("working_days", "days", "hours", "months", "same_day")


class Command(BaseCommand):
    help = "Compute a legal appointment from a receipt moment and a time limit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--received", required=True, help='e.g. "2025-01-24T10:00+07:00"')
        parser.add_argument("--limit", required=True, help="e.g. 5 or 0.5")
        parser.add_argument("--unit", required=True, help=", ".join(UNITS))
        parser.add_argument("--centre", default="", help="agency e-ID code of the receiving centre")
        parser.add_argument("--cutoff", default="15:00", help="same-day cut-off (default 15:00)")

    def handle(self, *args: Any, **options: Any) -> str:
        from motcua.agencies.models import Agency
        from motcua.calendar.models import CalendarException
        from motcua.calendar.selectors import work_calendar_for

        try:
            received = dt.datetime.fromisoformat(options["received"])
        except ValueError as exc:
            raise CommandError(
                f"Thời điểm tiếp nhận không hợp lệ: {options['received']!r} "
                "(ISO 8601, ví dụ 2025-01-24T10:00+07:00) / Invalid receipt time."
            ) from exc
        if received.tzinfo is None:
            raise CommandError(
                "Thời điểm cần có múi giờ, ví dụ +07:00 / The time needs a UTC offset, e.g. +07:00."
            )
        try:
            limit = Decimal(options["limit"])
        except InvalidOperation as exc:
            raise CommandError(f"Thời hạn không hợp lệ: {options['limit']!r} / Invalid limit.") from exc
        if limit < 0:
            raise CommandError("Thời hạn không được âm / The limit must not be negative.")
        unit = options["unit"]
        if unit not in UNITS:
            raise CommandError(f"Đơn vị không hợp lệ: {unit!r}; dùng {', '.join(UNITS)} / Unknown unit.")
        agency = None
        if options["centre"]:
            agency = Agency.objects.filter(code=options["centre"]).first()
            if agency is None:
                raise CommandError(f"Không có cơ quan mã {options['centre']!r} / Unknown agency code.")
        if not CalendarException.objects.filter(date__year=received.year, confirmed=True).exists():
            raise CommandError(
                f"Lịch năm {received.year} chưa có dữ liệu; chạy `motcua calendar seed` / "
                f"No calendar data for {received.year}; run `motcua calendar seed`."
            )
        try:
            cutoff = dt.time.fromisoformat(options["cutoff"])
        except ValueError as exc:
            raise CommandError("Giờ chốt không hợp lệ / Invalid cut-off time.") from exc
        try:
            appointment = work_calendar_for(agency=agency).compute_appointment(received, limit, unit, cutoff)
        except UnknownUnitError as exc:
            raise CommandError(str(exc)) from exc
        result = appointment.isoformat()
        self.stdout.write(result)
        return ""
