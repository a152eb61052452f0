"""The dossier side of deadline arithmetic: picks the calendar of the right agency and the pinned
version's legal limit, and delegates every computation to ``motcua.calendar`` (pure functions)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from motcua.agencies.models import Agency
from motcua.calendar.selectors import work_calendar_for
from motcua.catalog.models import ProcedureVersion


def appointment_compute(
    *, version: ProcedureVersion, agency: Agency, received_at: dt.datetime
) -> dt.datetime:
    calendar = work_calendar_for(agency=agency)
    return calendar.compute_appointment(
        received_at, version.time_limit_value, version.time_limit_unit, version.same_day_cutoff
    )


def budget_due(*, agency: Agency, start: dt.datetime, value: Any, unit: str) -> dt.datetime:
    return work_calendar_for(agency=agency).add_working_time(start, Decimal(str(value)), unit)


def step_due(*, task: Any, start: dt.datetime) -> dt.datetime:
    """When a step of the internal process is due: its start plus its budget (working time), but never
    later than the appointment less what the steps after it need (their budgets counted back from the
    appointment, a parallel stage costing its longest step). So the steps' due times add up to the legal
    limit: appraisal cannot be due on the appointment itself and leave nothing for approval, issue and
    return (walk.md step 6). A step that starts too late to fit is due when it starts."""
    step = task.step
    if step is None:
        return start
    own = budget_due(agency=task.agency, start=start, value=step.budget_value, unit=step.budget_unit)
    latest = _latest_due(task)
    if latest is None:
        return own
    return max(start, min(own, latest))


def _latest_due(task: Any) -> dt.datetime | None:
    """The appointment less the budgets of the stages after ``task``'s (None without an appointment)."""
    dossier = task.dossier
    if dossier.appointment_at is None or task.is_consultation:
        return None
    later: dict[int, list[Any]] = {}
    for other in (
        dossier.tasks.filter(order__gt=task.order, is_consultation=False)
        .exclude(status="cancelled")
        .select_related("step")
    ):
        if other.step is not None:
            later.setdefault(other.order, []).append(other.step)
    calendar = work_calendar_for(agency=task.agency)
    latest: dt.datetime = dossier.appointment_at
    for order in sorted(later, reverse=True):
        stage_start = min(
            calendar.subtract_working_time(latest, step.budget_value, step.budget_unit)
            for step in later[order]
        )
        latest = stage_start
    return latest


def outcome(*, finished_at: dt.datetime, due_at: dt.datetime | None) -> str:
    if due_at is None:
        return ""
    return work_calendar_for(agency=None).classify_completion(finished_at, due_at)


def minutes_left(*, agency: Agency, now: dt.datetime, due_at: dt.datetime) -> int:
    return work_calendar_for(agency=agency).working_minutes_between(now, due_at)


def resume_with_remaining(*, agency: Agency, resumed_at: dt.datetime, remaining_minutes: int) -> dt.datetime:
    return work_calendar_for(agency=agency).add_working_minutes(resumed_at, max(0, remaining_minutes))


def resume_due(
    *, agency: Agency, due_at: dt.datetime, paused_at: dt.datetime | None, resumed_at: dt.datetime
) -> dt.datetime:
    if paused_at is None:
        return due_at
    return work_calendar_for(agency=agency).due_after_pause(due_at, paused_at, resumed_at)
