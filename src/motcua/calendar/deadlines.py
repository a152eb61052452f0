"""Deadline arithmetic as pure functions over a ``WorkCalendar`` value (no database, no Django ORM).

Convention (docs/deadlines.md, with legal basis):
* a moment outside office hours or on a day off is *effectively* received at the next opening;
* a limit in working days counts day 1 as the first working day **after** the day of effective receipt
  (Civil Code 2015 art. 147(1)); the appointment is the end of office hours of day N (art. 148);
* a limit in calendar days or months likewise starts the day after the day of *effective* receipt (an
  after-hours or weekend receipt counts from the next working session); a last day that falls on a day
  off moves to the end of the next working day (art. 148(2));
* a limit in hours counts only office time from the effective receipt moment;
* "same day" limits: received (effectively) before the cut-off (15:00) → end of that working day,
  otherwise → end of the next working day;
* fractional working days (0.5) and step budgets are working time: the fraction of a day's office time;
* a pause (supplement request, financial obligation) stops the clock: the working time left at the pause
  is counted again from the (effective) moment of resumption.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
Session = tuple[dt.time, dt.time]
DEFAULT_SESSIONS: tuple[Session, ...] = ((dt.time(7, 30), dt.time(11, 30)), (dt.time(13, 30), dt.time(17, 0)))


class UnknownUnitError(ValueError):
    pass


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


@dataclass(frozen=True)
class WorkCalendar:
    """Working weekdays (Monday = 0), dated exceptions, and office sessions per weekday."""

    working_weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    days_off: frozenset[dt.date] = frozenset()
    extra_working_days: frozenset[dt.date] = frozenset()
    sessions_by_weekday: Mapping[int, tuple[Session, ...]] = field(default_factory=dict)
    default_sessions: tuple[Session, ...] = DEFAULT_SESSIONS
    tz: ZoneInfo = VIETNAM_TZ

    # --- days ---------------------------------------------------------------------------------
    def is_working_day(self, day: dt.date) -> bool:
        if day in self.extra_working_days:
            return True
        if day in self.days_off:
            return False
        return day.weekday() in self.working_weekdays

    def sessions(self, day: dt.date) -> tuple[Session, ...]:
        if not self.is_working_day(day):
            return ()
        # A make-up Saturday keeps the hours of an ordinary weekday.
        weekday = day.weekday() if day not in self.extra_working_days else 0
        return tuple(self.sessions_by_weekday.get(weekday, self.default_sessions))

    def day_minutes(self, day: dt.date) -> int:
        return sum(_minutes(b) - _minutes(a) for a, b in self.sessions(day))

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        candidate = day + dt.timedelta(days=1)
        for _ in range(400):
            if self.is_working_day(candidate):
                return candidate
            candidate += dt.timedelta(days=1)
        raise ValueError("no working day within 400 days")

    def previous_working_day(self, day: dt.date) -> dt.date:
        """The last working day strictly before ``day``."""
        candidate = day - dt.timedelta(days=1)
        for _ in range(400):
            if self.is_working_day(candidate):
                return candidate
            candidate -= dt.timedelta(days=1)
        raise ValueError("no working day within 400 days")

    def working_day_on_or_after(self, day: dt.date) -> dt.date:
        return day if self.is_working_day(day) else self.next_working_day(day)

    def opening(self, day: dt.date) -> dt.datetime:
        start = self.sessions(day)[0][0]
        return dt.datetime.combine(day, start, tzinfo=self.tz)

    def closing(self, day: dt.date) -> dt.datetime:
        end = self.sessions(day)[-1][1]
        return dt.datetime.combine(day, end, tzinfo=self.tz)

    # --- moments ------------------------------------------------------------------------------
    def local(self, moment: dt.datetime) -> dt.datetime:
        if moment.tzinfo is None:
            raise ValueError("naive datetime: deadlines are legal facts and need a time zone")
        return moment.astimezone(self.tz)

    def effective_receipt(self, received_at: dt.datetime) -> dt.datetime:
        """The moment the clock can start: inside a session, else the next session's opening."""
        local = self.local(received_at)
        day = local.date()
        minute = local.hour * 60 + local.minute + local.second / 60
        for a, b in self.sessions(day):
            if minute < _minutes(a):
                return dt.datetime.combine(day, a, tzinfo=self.tz)
            if minute < _minutes(b):
                return local
        return self.opening(self.next_working_day(day))

    def _position(self, moment: dt.datetime) -> tuple[dt.date, int]:
        """(working day, office minutes already elapsed that day) of an effective moment."""
        local = self.effective_receipt(moment)
        day = local.date()
        minute = local.hour * 60 + local.minute
        elapsed = 0
        for a, b in self.sessions(day):
            if minute >= _minutes(b):
                elapsed += _minutes(b) - _minutes(a)
            elif minute > _minutes(a):
                elapsed += minute - _minutes(a)
        return day, elapsed

    def _at(self, day: dt.date, elapsed: int) -> dt.datetime:
        """The moment when ``elapsed`` office minutes of ``day`` have passed (end of a session if exact)."""
        remaining = elapsed
        sessions = self.sessions(day)
        for a, b in sessions:
            length = _minutes(b) - _minutes(a)
            if remaining <= length:
                total = _minutes(a) + remaining
                return dt.datetime.combine(day, dt.time(total // 60, total % 60), tzinfo=self.tz)
            remaining -= length
        return self.closing(day)

    # --- arithmetic -----------------------------------------------------------------------------
    def add_working_minutes(self, start: dt.datetime, minutes: int) -> dt.datetime:
        """Advance ``minutes`` of office time from ``start`` (across lunch, weekends and holidays)."""
        if minutes < 0:
            raise ValueError("minutes must not be negative")
        day, elapsed = self._position(start)
        left = minutes
        while True:
            available = self.day_minutes(day) - elapsed
            if left <= available:
                return self._at(day, elapsed + left)
            left -= available
            day = self.next_working_day(day)
            elapsed = 0

    def add_working_days(self, start: dt.datetime, days: Decimal | int | float) -> dt.datetime:
        """Day 1 is the first working day after the day of effective receipt; end of office hours of day N.

        A fractional part (e.g. 2.5) adds that fraction of the next day's office time after day N's end,
        i.e. N days plus half a day."""
        value = Decimal(str(days))
        if value < 0:
            raise ValueError("days must not be negative")
        whole = int(value)
        fraction = value - whole
        day = self.effective_receipt(start).date()
        for _ in range(whole):
            day = self.next_working_day(day)
        if whole == 0 and fraction == 0:
            return self.effective_receipt(start)
        if fraction == 0:
            return self.closing(day)
        if whole == 0:
            return self.add_working_minutes(
                start, int(fraction * self.day_minutes(self.effective_receipt(start).date()))
            )
        nxt = self.next_working_day(day)
        return self._at(nxt, int(fraction * self.day_minutes(nxt)))

    def add_working_time(self, start: dt.datetime, value: Decimal | int | float, unit: str) -> dt.datetime:
        """Budgets of process steps, counted from ``start`` itself (a step starts when the previous one
        ends): working hours, or working days as that many days' worth of office time."""
        amount = Decimal(str(value))
        if unit == "hours":
            return self.add_working_minutes(start, int(amount * 60))
        if unit in ("working_days", "days"):
            day, _ = self._position(start)
            return self.add_working_minutes(start, int(amount * self.day_minutes(day)))
        raise UnknownUnitError(unit)

    def subtract_working_minutes(self, end: dt.datetime, minutes: int) -> dt.datetime:
        """The moment ``minutes`` of office time before ``end`` (the inverse of ``add_working_minutes``);
        a moment that falls on the start of a day is given as the previous working day's closing."""
        if minutes < 0:
            raise ValueError("minutes must not be negative")
        if minutes == 0:
            return end
        day, elapsed = self._position(end)
        left = minutes
        while left >= elapsed:
            left -= elapsed
            day = self.previous_working_day(day)
            elapsed = self.day_minutes(day)
        return self._at(day, elapsed - left)

    def subtract_working_time(self, end: dt.datetime, value: Decimal | int | float, unit: str) -> dt.datetime:
        """A step budget counted back from ``end``: what the steps after a moment need before a deadline."""
        amount = Decimal(str(value))
        if unit == "hours":
            return self.subtract_working_minutes(end, int(amount * 60))
        if unit in ("working_days", "days"):
            day, _ = self._position(end)
            return self.subtract_working_minutes(end, int(amount * self.day_minutes(day)))
        raise UnknownUnitError(unit)

    def _roll_to_working_end(self, day: dt.date) -> dt.datetime:
        return self.closing(self.working_day_on_or_after(day))

    def add_calendar_days(self, start: dt.datetime, days: int) -> dt.datetime:
        # Counted from the effective receipt like every other unit (rules 1 and 4): a dossier received at
        # 19:43 or on a Saturday starts from the next working session, not from the calendar day it arrived.
        first = self.effective_receipt(start).date()
        return self._roll_to_working_end(first + dt.timedelta(days=days))

    def add_months(self, start: dt.datetime, months: int) -> dt.datetime:
        day = self.effective_receipt(start).date()
        month_index = day.month - 1 + months
        year, month = day.year + month_index // 12, month_index % 12 + 1
        last = pycalendar.monthrange(year, month)[1]
        return self._roll_to_working_end(dt.date(year, month, min(day.day, last)))

    def same_day(self, received_at: dt.datetime, cutoff: dt.time = dt.time(15, 0)) -> dt.datetime:
        effective = self.effective_receipt(received_at)
        local = self.local(received_at)
        if effective.date() == local.date() and local.time() < cutoff:
            return self.closing(effective.date())
        if effective.date() != local.date() and effective.time() < cutoff:
            # Received outside hours: counts from the next working day, which is then "the day".
            return self.closing(effective.date())
        return self.closing(self.next_working_day(effective.date()))

    def paper_transfer_at(self, received_at: dt.datetime, cutoff: dt.time) -> dt.datetime:
        """When a paper dossier received at the counter reaches the settling agency under the one-stop
        unit's cut-off: received (effectively) before it → at once, that day; after it → the next
        working morning (the opening of the next working day)."""
        effective = self.effective_receipt(received_at)
        if effective.time() < cutoff:
            return effective
        return self.opening(self.next_working_day(effective.date()))

    def compute_appointment(
        self,
        received_at: dt.datetime,
        value: Decimal | int | float,
        unit: str,
        same_day_cutoff: dt.time | None = None,
    ) -> dt.datetime:
        if unit == "working_days":
            return self.add_working_days(received_at, value)
        if unit == "hours":
            return self.add_working_minutes(received_at, int(Decimal(str(value)) * 60))
        if unit == "days":
            return self.add_calendar_days(received_at, int(Decimal(str(value))))
        if unit == "months":
            return self.add_months(received_at, int(Decimal(str(value))))
        if unit == "same_day":
            return self.same_day(received_at, same_day_cutoff or dt.time(15, 0))
        raise UnknownUnitError(unit)

    def working_minutes_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Office minutes from ``start`` to ``end``; negative when ``end`` is before ``start``."""
        if end < start:
            return -self.working_minutes_between(end, start)
        day_a, el_a = self._position(start)
        day_b, el_b = self._position(end)
        if day_a == day_b:
            return max(0, el_b - el_a)
        total = self.day_minutes(day_a) - el_a
        day = self.next_working_day(day_a)
        while day < day_b:
            total += self.day_minutes(day)
            day = self.next_working_day(day)
        return total + el_b

    def due_after_pause(
        self, due: dt.datetime, paused_at: dt.datetime, resumed_at: dt.datetime, unit: str = "working_days"
    ) -> dt.datetime:
        """The clock stops at ``paused_at`` and restarts at ``resumed_at`` with the time it had left."""
        if unit in ("days", "months"):
            return due + (resumed_at - paused_at)
        remaining = self.working_minutes_between(paused_at, due)
        return self.add_working_minutes(resumed_at, max(0, remaining))

    def classify_completion(self, finished_at: dt.datetime, due: dt.datetime) -> str:
        """early: finished on a working day before the due's day; on_time: same day, not after; late."""
        if finished_at > due:
            return "late"
        if self.local(finished_at).date() < self.local(due).date():
            return "early"
        return "on_time"
