from __future__ import annotations

from decimal import Decimal

from motcua.catalog.validation import StepBudget, process_total, validate_process


def test_parallel_steps_cost_their_longest() -> None:
    steps = [
        StepBudget(Decimal("0.5"), "working_days"),
        StepBudget(Decimal(6), "working_days", "A"),
        StepBudget(Decimal(4), "working_days", "A"),
        StepBudget(Decimal("1.5"), "working_days"),
    ]
    assert process_total(steps) == Decimal(8)


def test_hours_convert_with_the_legal_working_day() -> None:
    steps = [
        StepBudget(Decimal(2), "hours"),
        StepBudget(Decimal(3), "hours"),
        StepBudget(Decimal(2), "hours"),
        StepBudget(Decimal(1), "hours"),
    ]
    assert validate_process("P", Decimal(0), "same_day", steps) == []


def test_mixing_calendar_days_and_working_days_is_an_error() -> None:
    errors = validate_process("P", Decimal(15), "days", [StepBudget(Decimal(15), "working_days")])
    assert errors[0].field == "QUYTRINHNOIBO.CACBUOC.DONVITINH"
