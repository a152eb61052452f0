"""Presentation helpers: legal time limits and money in words a citizen reads."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def _num(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


@register.filter
def time_limit(version: Any) -> str:
    value, unit = version.time_limit_value, version.time_limit_unit
    if unit == "same_day":
        cutoff = version.same_day_cutoff.strftime("%H:%M") if version.same_day_cutoff else "15:00"
        return _("Trong ngày; nếu tiếp nhận sau %(cutoff)s thì trả trong ngày làm việc tiếp theo") % {
            "cutoff": cutoff
        }
    words = {
        "working_days": _("ngày làm việc"),
        "days": _("ngày"),
        "hours": _("giờ làm việc"),
        "months": _("tháng"),
    }
    return f"{_num(value)} {words.get(unit, unit)}"


@register.filter
def budget(step: Any) -> str:
    words = {"working_days": _("ngày làm việc"), "days": _("ngày"), "hours": _("giờ làm việc")}
    return f"{_num(step.budget_value)} {words.get(step.budget_unit, step.budget_unit)}"


@register.filter
def vnd(amount: Decimal) -> str:
    if not amount:
        return _("Không mất phí")
    return f"{int(amount):,} đồng".replace(",", ".")
