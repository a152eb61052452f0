"""Pure tests of the deadline arithmetic, on a calendar built from the official data (no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from motcua.calendar.deadlines import UnknownUnitError, WorkCalendar
from motcua.calendar.sources import official_days

VN = dt.timezone(dt.timedelta(hours=7))


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=VN)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    entries = official_days(range(2024, 2028))
    return WorkCalendar(
        days_off=frozenset(e.date for e in entries if e.kind != "swap_work"),
        extra_working_days=frozenset(e.date for e in entries if e.kind == "swap_work"),
    )


def test_five_working_days_across_tet_2025(cal: WorkCalendar) -> None:
    # Friday before Tết; 25/01–02/02/2025 off. Day 1 = Mon 03/02, day 5 = Fri 07/02.
    assert cal.compute_appointment(at(2025, 1, 24, 10), 5, "working_days") == at(2025, 2, 7, 17)


def test_three_working_days_across_tet_2026(cal: WorkCalendar) -> None:
    # Thu 12/02/2026; 14–22/02 off. Day 1 = Fri 13/02, day 2 = Mon 23/02, day 3 = Tue 24/02.
    assert cal.compute_appointment(at(2026, 2, 12), 3, "working_days") == at(2026, 2, 24, 17)


def test_make_up_saturday_26_april_2025_is_a_working_day(cal: WorkCalendar) -> None:
    assert cal.is_working_day(dt.date(2025, 4, 26))
    assert not cal.is_working_day(dt.date(2025, 5, 2))
    # Thu 24/04 + 2 working days → day 1 Fri 25/04, day 2 Sat 26/04 (make-up day).
    assert cal.compute_appointment(at(2025, 4, 24), 2, "working_days") == at(2025, 4, 26, 17)


def test_make_up_saturday_10_january_2026_is_a_working_day(cal: WorkCalendar) -> None:
    assert cal.is_working_day(dt.date(2026, 1, 10))
    assert not cal.is_working_day(dt.date(2026, 1, 2))
    # Wed 31/12/2025 + 2 → 01/01 and 02/01 off, 03–04 weekend? No: Sat 03/01 is an ordinary Saturday;
    # day 1 = Mon 05/01, day 2 = Tue 06/01.
    assert cal.compute_appointment(at(2025, 12, 31), 2, "working_days") == at(2026, 1, 6, 17)
    # Thu 08/01 + 2 → day 1 Fri 09/01, day 2 Sat 10/01 (make-up).
    assert cal.compute_appointment(at(2026, 1, 8), 2, "working_days") == at(2026, 1, 10, 17)


def test_same_day_before_the_15h_cut_off_is_due_that_evening(cal: WorkCalendar) -> None:
    assert cal.compute_appointment(at(2025, 3, 3, 14, 59), 0, "same_day") == at(2025, 3, 3, 17)


def test_same_day_after_the_15h_cut_off_moves_to_the_next_working_day(cal: WorkCalendar) -> None:
    assert cal.compute_appointment(at(2025, 3, 3, 15, 1), 0, "same_day") == at(2025, 3, 4, 17)
    # Friday afternoon → Monday.
    assert cal.compute_appointment(at(2025, 3, 7, 15, 30), 0, "same_day") == at(2025, 3, 10, 17)


def test_same_day_cut_off_is_data(cal: WorkCalendar) -> None:
    assert cal.compute_appointment(at(2025, 3, 3, 15, 30), 0, "same_day", dt.time(16, 0)) == at(
        2025, 3, 3, 17
    )


def test_received_on_a_sunday_counts_from_monday(cal: WorkCalendar) -> None:
    assert cal.effective_receipt(at(2025, 3, 9, 10)) == at(2025, 3, 10, 7, 30)
    assert cal.compute_appointment(at(2025, 3, 9, 10), 1, "working_days") == at(2025, 3, 11, 17)


def test_received_in_the_evening_counts_from_the_next_morning(cal: WorkCalendar) -> None:
    assert cal.effective_receipt(at(2025, 3, 3, 19)) == at(2025, 3, 4, 7, 30)


def test_hour_budget_skips_lunch(cal: WorkCalendar) -> None:
    # 10:30 + 2 working hours: one hour to 11:30, lunch, one hour from 13:30.
    assert cal.add_working_minutes(at(2025, 3, 3, 10, 30), 120) == at(2025, 3, 3, 14, 30)


def test_hour_budget_across_a_weekend(cal: WorkCalendar) -> None:
    # Friday 16:00 + 3 working hours: 1 h on Friday, then Monday 07:30 + 2 h.
    assert cal.compute_appointment(at(2025, 3, 7, 16), 3, "hours") == at(2025, 3, 10, 9, 30)


def test_half_a_working_day_is_half_the_office_time(cal: WorkCalendar) -> None:
    # 7.5 office hours a day; half a day = 225 minutes from Monday 07:30 → 11:15.
    assert cal.add_working_time(at(2025, 3, 3, 7, 30), Decimal("0.5"), "working_days") == at(
        2025, 3, 3, 11, 15
    )


def test_calendar_days_end_on_a_working_day(cal: WorkCalendar) -> None:
    # 15 days from Fri 11/04/2025 → Sat 26/04 (a make-up working day) end of office hours.
    assert cal.compute_appointment(at(2025, 4, 11), 15, "days") == at(2025, 4, 26, 17)
    # 10 days from Sun 20/04/2025 → Wed 30/04 (holiday) → rolls to Mon 05/05.
    assert cal.compute_appointment(at(2025, 4, 20), 10, "days") == at(2025, 5, 5, 17)


def test_months_clamp_to_the_end_of_a_short_month(cal: WorkCalendar) -> None:
    # 31/01/2024 (a Wednesday) + 1 month → 29/02/2024, a leap year's last day of February (a Thursday).
    assert cal.compute_appointment(at(2024, 1, 31), 1, "months") == at(2024, 2, 29, 17)
    # 31/10/2025 (a Friday) + 1 month → 30/11/2025, a Sunday → Mon 01/12.
    assert cal.compute_appointment(at(2025, 10, 31), 1, "months") == at(2025, 12, 1, 17)


def test_months_received_on_a_holiday_count_from_the_next_working_day(cal: WorkCalendar) -> None:
    # Fri 31/01/2025 is a Tết day: effective receipt Mon 03/02 → 03/03/2025, not 28/02.
    assert cal.compute_appointment(at(2025, 1, 31), 1, "months") == at(2025, 3, 3, 17)


def test_a_pause_across_a_holiday_gives_back_only_working_time(cal: WorkCalendar) -> None:
    due = at(2025, 5, 5, 17)
    # Paused Tue 29/04 09:00, resumed Tue 06/05 09:00: the 30/04–04/05 break costs the dossier nothing.
    new_due = cal.due_after_pause(due, at(2025, 4, 29), at(2025, 5, 6))
    left_at_pause = cal.working_minutes_between(at(2025, 4, 29), due)
    assert cal.working_minutes_between(at(2025, 5, 6), new_due) == left_at_pause
    # 810 minutes were left (the rest of 29/04 and all of 05/05): rest of 06/05 plus all of 07/05.
    assert new_due == at(2025, 5, 7, 17)


def test_remaining_working_time_is_negative_when_overdue(cal: WorkCalendar) -> None:
    assert cal.working_minutes_between(at(2025, 3, 4, 9), at(2025, 3, 3, 17)) < 0
    assert cal.working_minutes_between(at(2025, 3, 3, 9), at(2025, 3, 3, 17)) == 360


def test_classify_early_on_time_late(cal: WorkCalendar) -> None:
    due = at(2025, 3, 7, 17)
    assert cal.classify_completion(at(2025, 3, 6, 10), due) == "early"
    assert cal.classify_completion(at(2025, 3, 7, 16, 59), due) == "on_time"
    assert cal.classify_completion(at(2025, 3, 7, 17, 1), due) == "late"


def test_unknown_unit_is_refused(cal: WorkCalendar) -> None:
    with pytest.raises(UnknownUnitError):
        cal.compute_appointment(at(2025, 3, 3), 5, "weeks")


def test_naive_datetimes_are_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="naive"):
        cal.compute_appointment(dt.datetime(2025, 3, 3, 9), 5, "working_days")


# Rules 1 and 4 of docs/deadlines.md: a calendar-day or month limit counts from the effective receipt, so a
# dossier received after hours, on a weekend or a holiday starts from the next working session like any other.
@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (at(2026, 12, 2, 10, 0), at(2026, 12, 17, 17)),  # Wed in office hours: day 1 = Thu 03/12
        (at(2026, 12, 2, 19, 43), at(2026, 12, 18, 17)),  # Wed after hours: counts from Thu 03/12 07:30
        (at(2026, 12, 3, 7, 30), at(2026, 12, 18, 17)),  # the next opening itself
        (at(2026, 12, 5, 10, 0), at(2026, 12, 22, 17)),  # Saturday: counts from Mon 07/12
    ],
)
def test_calendar_days_count_from_the_effective_receipt(
    cal: WorkCalendar, received: dt.datetime, expected: dt.datetime
) -> None:
    assert cal.compute_appointment(received, 15, "days") == expected


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (at(2026, 11, 30, 10, 0), at(2026, 12, 30, 17)),  # Mon in office hours → Wed 30/12
        # Mon after hours: effective Tue 01/12 → 01/01/2027 (New Year), Sat, Sun → Mon 04/01.
        (at(2026, 11, 30, 19, 43), at(2027, 1, 4, 17)),
        (at(2026, 11, 14, 10, 0), at(2026, 12, 16, 17)),  # Saturday: effective Mon 16/11 → Wed 16/12
    ],
)
def test_months_count_from_the_effective_receipt(
    cal: WorkCalendar, received: dt.datetime, expected: dt.datetime
) -> None:
    assert cal.compute_appointment(received, 1, "months") == expected
