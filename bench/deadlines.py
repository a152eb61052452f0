"""Deadline computations per second: the pure function, on the seeded national calendar."""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal

from bench.stats import summary, timed


def main() -> None:
    from motcua.calendar.selectors import work_calendar_for, work_calendar_invalidate
    from motcua.calendar.services import calendar_seed

    calendar_seed(years=range(2024, 2028))
    work_calendar_invalidate()
    cold = timed(lambda: (work_calendar_invalidate(), work_calendar_for()), 20)
    warm = timed(work_calendar_for, 200)
    print(f"work_calendar_for (build from DB): cold {summary(cold)}")
    print(f"work_calendar_for (cached):        warm {summary(warm)}")
    cal = work_calendar_for()
    rng = random.Random(766)
    vn = dt.timezone(dt.timedelta(hours=7))
    cases = []
    units = [
        ("working_days", 5),
        ("working_days", 20),
        ("hours", 8),
        ("days", 15),
        ("months", 1),
        ("same_day", 0),
    ]
    for _ in range(20_000):
        start = dt.datetime(2025, 1, 1, tzinfo=vn) + dt.timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
        unit, value = rng.choice(units)
        cases.append((start, Decimal(value), unit))
    started = time.perf_counter()
    for start, value, unit in cases:
        cal.compute_appointment(start, value, unit)
    elapsed = time.perf_counter() - started
    print(
        f"compute_appointment: {len(cases) / elapsed:,.0f} computations/s "
        f"({elapsed * 1e6 / len(cases):.1f} µs each; mixed units, receipts over 2025–2026)"
    )
    pauses = []
    for start, _, _ in cases[:5000]:
        due = cal.compute_appointment(start, Decimal(10), "working_days")
        pauses.append((due, start + dt.timedelta(days=2), start + dt.timedelta(days=9)))
    started = time.perf_counter()
    for due, paused, resumed in pauses:
        cal.due_after_pause(due, paused, resumed)
    elapsed = time.perf_counter() - started
    print(f"due_after_pause: {len(pauses) / elapsed:,.0f} computations/s")
