"""Words a citizen reads: legal time limits, money and internal-process budgets.

Pure functions over catalogue objects (no queries), used by the views and the ``portal`` template tags.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.utils.translation import get_language, gettext, ngettext

from motcua.catalog.models import Fee, ProcessStep

DEFAULT_SAME_DAY_CUTOFF = dt.time(15, 0)


class HasTimeLimit(Protocol):
    time_limit_value: Decimal
    time_limit_unit: str
    same_day_cutoff: dt.time | None


def number(value: Decimal | int) -> str:
    """5.00 → "5", 0.5 → "0,5" in Vietnamese and "0.5" in English."""
    text = format(Decimal(value).normalize(), "f")
    return text if _english() else text.replace(".", ",")


def duration(value: Decimal, unit: str) -> str:
    """ "5 ngày làm việc", "4 giờ làm việc" — a quantity with its unit, pluralised for English."""
    n = int(value) if value == value.to_integral_value() else 2
    shown = number(value)
    if unit == "working_days":
        return ngettext("%(n)s ngày làm việc", "%(n)s ngày làm việc", n) % {"n": shown}
    if unit == "days":
        # Said in full: a bare "15 ngày" left citizens guessing whether weekends count.
        return ngettext("%(n)s ngày theo lịch", "%(n)s ngày theo lịch", n) % {"n": shown}
    if unit == "hours":
        return ngettext("%(n)s giờ làm việc", "%(n)s giờ làm việc", n) % {"n": shown}
    if unit == "months":
        return ngettext("%(n)s tháng", "%(n)s tháng", n) % {"n": shown}
    return f"{shown} {unit}"


def time_limit_text(version: HasTimeLimit) -> str:
    if version.time_limit_unit == "same_day":
        cutoff = version.same_day_cutoff or DEFAULT_SAME_DAY_CUTOFF
        text = gettext("Trong ngày; nếu nhận sau %(cutoff)s thì trả trong ngày làm việc tiếp theo") % {
            "cutoff": cutoff.strftime("%H:%M")
        }
        # The cut-off comes from the procedure's sector law; its citation (data, in Vietnamese) follows it.
        basis = getattr(version, "same_day_cutoff_basis", "")
        return f"{text} ({basis})" if basis else text
    return duration(version.time_limit_value, version.time_limit_unit)


def money(amount: Decimal | int) -> str:
    """200000 → "200.000 đồng" (Vietnamese) / "VND 200,000" (English); zero → "Không mất phí"."""
    if not amount:
        return gettext("Không mất phí")
    grouped = f"{int(amount):,}"
    if not _english():
        grouped = grouped.replace(",", ".")
    return gettext("%(amount)s đồng") % {"amount": grouped}


@dataclass(frozen=True)
class FeeRow:
    name: str
    kind: str
    amount: str
    free: bool
    channel: str
    description: str
    exemptions: str
    legal_basis: str


def fee_rows(fees: list[Fee]) -> list[FeeRow]:
    return [
        FeeRow(
            name=fee.name,
            kind=str(fee.get_kind_display()),
            amount=money(fee.amount),
            free=not fee.amount,
            channel=str(fee.get_channel_display()) if fee.channel else gettext("Mọi cách thức nộp"),
            description=fee.description,
            exemptions=fee.exemptions,
            legal_basis=fee.legal_basis,
        )
        for fee in fees
    ]


def process_total(steps: list[ProcessStep]) -> str:
    """The time the internal process budgets, parallel steps counted once (their longest step).

    Units are never mixed (hours are not converted to days: a working day's length is a local rule)."""
    groups: dict[str, list[ProcessStep]] = defaultdict(list)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for step in steps:
        if step.parallel_group:
            groups[step.parallel_group].append(step)
        else:
            totals[step.budget_unit] += step.budget_value
    for members in groups.values():
        longest = max(members, key=lambda s: s.budget_value)
        totals[longest.budget_unit] += longest.budget_value
    order = ["working_days", "days", "hours"]
    parts = [
        duration(totals[u], u) for u in sorted(totals, key=lambda u: order.index(u) if u in order else 9)
    ]
    return " + ".join(parts)


def _english() -> bool:
    return (get_language() or "vi").startswith("en")
