from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.agencies.models import OfficeHours
from motcua.calendar.models import CalendarException, ExceptionKind, Scope
from motcua.calendar.selectors import work_calendar_for, work_calendar_invalidate
from motcua.calendar.services import calendar_exception_confirm, calendar_propose_year, calendar_seed

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent() -> None:
    first = calendar_seed(years=range(2024, 2028))
    assert first > 40
    assert calendar_seed(years=range(2024, 2028)) == 0


def test_seed_records_the_source_of_the_2026_new_year_swap() -> None:
    calendar_seed(years=[2026])
    swap = CalendarException.objects.get(date=dt.date(2026, 1, 10))
    assert swap.kind == ExceptionKind.SWAP_WORK
    assert "12729/VPCP-KGVX" in swap.source_document
    assert CalendarException.objects.get(date=dt.date(2026, 1, 2)).kind == ExceptionKind.SWAP_OFF


def test_propose_uses_vietnamese_lunar_dates_and_stays_unconfirmed() -> None:
    created = calendar_propose_year(year=2027)
    by_date = {row.date: row for row in created}
    assert dt.date(2027, 2, 6) in by_date  # Tết 2027 (lunar 1/1) falls on Saturday 06/02
    assert dt.date(2027, 4, 16) in by_date  # Giỗ Tổ, lunar 10/3
    assert all(not row.confirmed for row in created)


def test_propose_never_touches_confirmed_rows() -> None:
    calendar_seed(years=[2027])
    before = CalendarException.objects.get(date=dt.date(2027, 2, 6))
    calendar_propose_year(year=2027)
    after = CalendarException.objects.get(date=dt.date(2027, 2, 6))
    assert (after.confirmed, after.name, after.source_document) == (True, before.name, before.source_document)


def test_tet_2028_is_proposed_on_26_january() -> None:
    dates = {row.date for row in calendar_propose_year(year=2028)}
    assert dt.date(2028, 1, 26) in dates


def test_unconfirmed_proposals_do_not_move_deadlines(admin_giang) -> None:
    calendar_seed(years=[2025])  # 2028 itself is not seeded: only proposed
    proposals = calendar_propose_year(year=2028)
    work_calendar_invalidate()
    tet = next(p for p in proposals if p.date == dt.date(2028, 1, 26))
    assert work_calendar_for().is_working_day(tet.date)
    calendar_exception_confirm(exception=tet, user=admin_giang)
    assert not work_calendar_for().is_working_day(tet.date)


def test_a_centre_closure_only_affects_that_centre(service_centre, commune) -> None:
    calendar_seed(years=[2025])
    CalendarException.objects.create(
        date=dt.date(2025, 3, 5),
        kind=ExceptionKind.CLOSURE,
        name="Chuyển trụ sở",
        scope=Scope.CENTRE,
        agency=service_centre,
        source_document="Thông báo 12/TB-TTPVHCC",
    )
    work_calendar_invalidate()
    assert not work_calendar_for(agency=service_centre).is_working_day(dt.date(2025, 3, 5))
    assert work_calendar_for(agency=commune).is_working_day(dt.date(2025, 3, 5))


def test_centre_office_hours_are_used(service_centre) -> None:
    calendar_seed(years=[2025])
    for weekday in range(5):
        OfficeHours.objects.create(
            agency=service_centre, weekday=weekday, opens_at=dt.time(8, 0), closes_at=dt.time(16, 0)
        )
    work_calendar_invalidate()
    vn = dt.timezone(dt.timedelta(hours=7))
    appointment = work_calendar_for(agency=service_centre).compute_appointment(
        dt.datetime(2025, 3, 3, 9, tzinfo=vn), 1, "working_days"
    )
    assert appointment == dt.datetime(2025, 3, 4, 16, tzinfo=vn)


def test_deadline_command_prints_the_appointment_in_iso_8601() -> None:
    call_command("calendar", "seed")
    out = StringIO()
    call_command(
        "deadline",
        "--received",
        "2025-01-24T10:00+07:00",
        "--limit",
        "5",
        "--unit",
        "working_days",
        stdout=out,
    )
    assert out.getvalue().strip() == "2025-02-07T17:00:00+07:00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--received", "24/01/2025", "--limit", "5", "--unit", "working_days"], "không hợp lệ"),
        (["--received", "2025-01-24T10:00", "--limit", "5", "--unit", "working_days"], "múi giờ"),
        (["--received", "2025-01-24T10:00+07:00", "--limit", "five", "--unit", "working_days"], "Thời hạn"),
        (["--received", "2025-01-24T10:00+07:00", "--limit", "5", "--unit", "weeks"], "Đơn vị"),
        (
            [
                "--received",
                "2025-01-24T10:00+07:00",
                "--limit",
                "5",
                "--unit",
                "working_days",
                "--centre",
                "X",
            ],
            "Không có cơ quan",
        ),
    ],
)
def test_deadline_command_explains_bad_input(args: list[str], message: str) -> None:
    call_command("calendar", "seed")
    with pytest.raises(CommandError, match=message):
        call_command("deadline", *args)


def test_deadline_command_says_when_the_calendar_is_empty() -> None:
    with pytest.raises(CommandError, match="calendar seed"):
        call_command(
            "deadline", "--received", "2025-01-24T10:00+07:00", "--limit", "5", "--unit", "working_days"
        )


def test_calendar_propose_command_lists_the_days() -> None:
    out = StringIO()
    call_command("calendar", "propose", "2028", stdout=out)
    assert "26/01/2028" in out.getvalue()


def test_deadline_command_counts_calendar_days_from_the_next_session_after_hours() -> None:
    # walk.md step 6: received at 19:43 the appointment is one day later than when received at 10:00.
    call_command("calendar", "seed")
    results = []
    for received in ("2026-12-02T10:00+07:00", "2026-12-02T19:43+07:00"):
        out = StringIO()
        call_command("deadline", "--received", received, "--limit", "15", "--unit", "days", stdout=out)
        results.append(out.getvalue().strip())
    assert results == ["2026-12-17T17:00:00+07:00", "2026-12-18T17:00:00+07:00"]
