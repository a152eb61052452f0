"""The statute list decides which days are holidays; a day only the ``holidays`` package knows is a proposal
that moves no deadline until an administrator confirms it (issue 12.1, legal-review rows 5.2–5.3)."""

from __future__ import annotations

import datetime as dt
import importlib
from io import StringIO

import holidays
import pytest
from django.core.management import call_command

from motcua.calendar.models import CalendarException, ExceptionKind, Scope
from motcua.calendar.selectors import work_calendar_for, work_calendar_invalidate
from motcua.calendar.services import calendar_exception_confirm, calendar_propose_year, calendar_seed
from motcua.calendar.sources import library_proposals, official_days, statutory_days

VN = dt.timezone(dt.timedelta(hours=7))
CULTURE_DAY = dt.date(2026, 11, 24)


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=VN)


# --- the statute list, without the database ---------------------------------------------------------------


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027])
def test_the_statute_list_gives_eleven_holidays_of_which_five_tet_working_days(year: int) -> None:
    days = statutory_days(year)
    holidays_ = [e for e in days if e.kind == "holiday"]
    tet = [e for e in holidays_ if e.name.startswith("Tết Nguyên đán")]
    assert len([e for e in tet if e.date.weekday() < 5]) == 5  # art. 112(1)(b): five days
    assert len(holidays_) - len(tet) == 6  # 1/1, 30/4, 1/5, 2/9 + adjacent, 10/3 lunar
    assert all("Điều 112 khoản 1" in e.source for e in holidays_)


def test_a_holiday_on_a_weekly_rest_day_gives_a_compensatory_day() -> None:
    by_date = {e.date: e for e in statutory_days(2027)}
    assert dt.date(2027, 5, 1).weekday() == 5  # Labour Day 2027 is a Saturday
    assert by_date[dt.date(2027, 5, 3)].kind == "compensatory"
    assert "Điều 111 khoản 3" in by_date[dt.date(2027, 5, 3)].source
    # Giỗ Tổ 2026 (10/3 lunar) is Sunday 26/04.
    assert {e.date: e.kind for e in statutory_days(2026)}[dt.date(2026, 4, 27)] == "compensatory"


def test_culture_day_is_not_in_the_statute_list_but_the_package_has_it() -> None:
    assert CULTURE_DAY in holidays.country_holidays("VN", years=[2026])
    assert CULTURE_DAY not in {e.date for e in official_days([2026])}
    proposal = next(p for p in library_proposals([2026]) if p.date == CULTURE_DAY)
    assert "80-NQ/TW" in proposal.source
    assert "30/NQ-CP" in proposal.source
    assert proposal.note


def test_every_weekday_the_package_gives_off_is_either_in_the_statute_list_or_a_proposal() -> None:
    years = range(2024, 2028)
    package = holidays.country_holidays("VN", years=list(years))
    covered = {e.date for e in official_days(years)} | {p.date for p in library_proposals(years)}
    assert {d for d in package if d.weekday() < 5} <= covered


def test_national_day_2026_follows_the_government_schedule_with_its_documents() -> None:
    by_date = {e.date: e for e in official_days([2026])}
    assert by_date[dt.date(2026, 8, 22)].kind == "swap_work"
    assert by_date[dt.date(2026, 8, 31)].kind == "swap_off"
    for day in (dt.date(2026, 8, 22), dt.date(2026, 8, 31), dt.date(2026, 9, 1), dt.date(2026, 9, 2)):
        assert "9859/VPCP-KGVX" in by_date[day].source
        assert "9441/TB-BNV" in by_date[day].source
    assert not any("holidays 0.1" in e.source for e in official_days(range(2024, 2028)))


# --- seeding, confirmation and deadlines -------------------------------------------------------------------


@pytest.mark.django_db
def test_national_day_2026_days_off_and_make_up_saturday() -> None:
    calendar_seed(years=[2026])
    work_calendar_invalidate()
    cal = work_calendar_for()
    assert cal.is_working_day(dt.date(2026, 8, 22))  # Saturday worked in exchange for Mon 31/08
    assert cal.is_working_day(dt.date(2026, 8, 28))
    off = [dt.date(2026, 8, 29) + dt.timedelta(days=n) for n in range(5)]  # 29/08–02/09
    assert not any(cal.is_working_day(day) for day in off)
    assert cal.is_working_day(dt.date(2026, 9, 3))
    # Received Fri 28/08 10:00, 2 working days: day 1 = Thu 03/09, day 2 = Fri 04/09.
    assert cal.compute_appointment(at(2026, 8, 28, 10), 2, "working_days") == at(2026, 9, 4, 17)


@pytest.mark.django_db
def test_a_deadline_across_24_november_2026_moves_only_once_an_administrator_confirms_it(admin_giang) -> None:
    calendar_seed(years=[2026])
    work_calendar_invalidate()
    row = CalendarException.objects.get(date=CULTURE_DAY, scope=Scope.NATIONAL)
    assert not row.confirmed
    received = at(2026, 11, 16, 10)  # Monday; 10 working days: day 1 = Tue 17/11
    assert work_calendar_for().is_working_day(CULTURE_DAY)
    assert work_calendar_for().compute_appointment(received, 10, "working_days") == at(2026, 11, 30, 17)

    calendar_exception_confirm(exception=row, user=admin_giang)
    assert not work_calendar_for().is_working_day(CULTURE_DAY)
    assert work_calendar_for().compute_appointment(received, 10, "working_days") == at(2026, 12, 1, 17)
    # The administrator's confirmation is theirs: seeding again does not take it back.
    calendar_seed(years=[2026])
    assert CalendarException.objects.get(pk=row.pk).confirmed


@pytest.mark.django_db
def test_a_24_november_seeded_as_confirmed_by_the_old_data_goes_back_to_a_proposal() -> None:
    CalendarException.objects.create(
        date=CULTURE_DAY,
        kind=ExceptionKind.HOLIDAY,
        name="Ngày Văn hóa Việt Nam",
        scope=Scope.NATIONAL,
        source_document="Nghị quyết 30/NQ-CP năm 2026; có trong gói holidays 0.109 — cần đối chiếu",
        confirmed=True,
    )
    assert calendar_seed(years=[2026]) > 0
    row = CalendarException.objects.get(date=CULTURE_DAY, scope=Scope.NATIONAL)
    assert not row.confirmed
    assert "80-NQ/TW" in row.source_document
    assert calendar_seed(years=[2026]) == 0


@pytest.mark.django_db
def test_propose_lists_culture_day_2027_as_a_proposal_with_its_sources() -> None:
    created = {row.date: row for row in calendar_propose_year(year=2027)}
    culture = created[dt.date(2027, 11, 24)]
    assert not culture.confirmed
    assert "30/NQ-CP" in culture.source_document


@pytest.mark.django_db
def test_the_demo_seeds_no_confirmed_24_november() -> None:
    call_command("demo", stdout=StringIO())
    rows = CalendarException.objects.filter(date__month=11, date__day=24)
    assert rows.exists()
    assert not rows.filter(confirmed=True).exists()


@pytest.mark.django_db
def test_the_migration_turns_a_seeded_24_november_back_into_a_proposal_but_keeps_an_administrators(
    admin_giang,
) -> None:
    from django.apps import apps

    migration = importlib.import_module("motcua.calendar.migrations.0002_culture_day_is_a_proposal")
    seeded = CalendarException.objects.create(
        date=CULTURE_DAY, kind=ExceptionKind.HOLIDAY, name="Ngày Văn hóa Việt Nam", source_document="x"
    )
    confirmed_2027 = CalendarException.objects.create(
        date=dt.date(2027, 11, 24),
        kind=ExceptionKind.HOLIDAY,
        name="Ngày Văn hóa Việt Nam",
        source_document="Thông báo của Bộ Nội vụ",
        confirmed_by=admin_giang,
    )
    migration.culture_day_to_proposal(apps, None)
    seeded.refresh_from_db()
    confirmed_2027.refresh_from_db()
    assert not seeded.confirmed
    assert "80-NQ/TW" in seeded.source_document
    assert confirmed_2027.confirmed
