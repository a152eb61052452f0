"""Pure rules of the catalogue, each error naming the procedure and the field.

The internal-process rule (Decision of the PPC Chairman approving each procedure's internal process):
sequential steps add up, steps sharing a parallel group cost their longest step, and the total must equal
the legal time limit. Working days and hours convert with the legal working day (data/units.json)."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

NATIONAL_CODE = re.compile(r"^[0-9]\.[0-9]{6}$")
AGENCY_CODE = re.compile(r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}$")


@dataclass(frozen=True)
class FieldError:
    procedure: str
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"procedure": self.procedure, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class StepBudget:
    value: Decimal
    unit: str  # working_days / hours / days
    parallel_group: str = ""


@cache
def _units() -> dict[str, str]:
    data: dict[str, str] = json.loads((Path(__file__).parent / "data" / "units.json").read_text("utf-8"))
    return data


def hours_per_day() -> Decimal:
    return Decimal(str(_units()["working_hours_per_day"]))


def _in_days(budget: StepBudget) -> Decimal:
    if budget.unit == "hours":
        return budget.value / hours_per_day()
    return budget.value


def process_total(steps: Sequence[StepBudget]) -> Decimal:
    """Sequential steps add; consecutive steps sharing a non-empty parallel group cost their maximum."""
    total = Decimal(0)
    group: str | None = None
    group_max = Decimal(0)
    for step in steps:
        cost = _in_days(step)
        if step.parallel_group and step.parallel_group == group:
            group_max = max(group_max, cost)
            continue
        total += group_max
        group, group_max = (step.parallel_group or None), cost
    return total + group_max


def validate_process(
    procedure: str, limit_value: Decimal, limit_unit: str, steps: Sequence[StepBudget]
) -> list[FieldError]:
    if not steps:
        return [
            FieldError(
                procedure,
                "QUYTRINHNOIBO.CACBUOC",
                "Quy trình nội bộ chưa có bước nào / The internal process has no steps.",
            )
        ]
    tolerance = Decimal(_units()["tolerance"])
    if limit_unit == "months":
        return []  # month limits are checked by the approving decision, not by a sum of days
    calendar_steps = [s for s in steps if s.unit == "days"]
    if (limit_unit == "days") != (len(calendar_steps) == len(steps)):
        return [
            FieldError(
                procedure,
                "QUYTRINHNOIBO.CACBUOC.DONVITINH",
                "Đơn vị thời gian các bước phải cùng loại với thời hạn (ngày / ngày làm việc, giờ) / "
                "Step units must match the limit (calendar days vs working days or hours).",
            )
        ]
    total = process_total(steps)
    if limit_unit == "hours":
        target = limit_value / hours_per_day()
    elif limit_unit == "same_day":
        target = Decimal(1)
    else:
        target = limit_value
    if abs(total - target) > tolerance:
        return [
            FieldError(
                procedure,
                "QUYTRINHNOIBO.CACBUOC.THOIGIAN",
                f"Tổng thời gian các bước ({total.normalize()} ngày làm việc) không bằng thời hạn giải quyết "
                f"({target.normalize()}) / Step budgets add up to {total.normalize()} working days, not "
                f"{target.normalize()}.",
            )
        ]
    return []


def overlapping(periods: Sequence[tuple[object, object | None]]) -> bool:
    """True when two [start, end] intervals (end None = open) overlap."""
    ordered = sorted(periods, key=lambda p: p[0])  # type: ignore[arg-type,return-value]
    return any(
        end_a is None or end_a >= start_b  # type: ignore[operator]
        for (_, end_a), (start_b, _) in itertools.pairwise(ordered)
    )
