"""Template filters for the portal: ``{% load portal %}`` then ``version|time_limit``, ``amount|vnd``…"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext, ngettext

from motcua.catalog.models import Channel
from motcua.portal import presentation

register = template.Library()


@register.filter
def time_limit(version: Any) -> str:
    return presentation.time_limit_text(version)


@register.filter
def budget(step: Any) -> str:
    return presentation.duration(step.budget_value, step.budget_unit)


@register.filter
def vnd(amount: Decimal) -> str:
    return presentation.money(amount)


@register.filter
def channel_names(channels: list[str]) -> str:
    """["counter", "online"] → "Trực tiếp, Trực tuyến" (in the active language)."""
    labels = dict(Channel.choices)
    return ", ".join(str(labels.get(c, c)) for c in channels) or gettext("Chưa công bố")


@register.filter
def copies_text(component: Any) -> str:
    """ "1 bản chính, 2 bản sao" — how many papers of a component to bring."""
    parts = []
    if component.originals:
        n = component.originals
        parts.append(ngettext("%(n)s bản chính", "%(n)s bản chính", n) % {"n": n})
    if component.copies:
        n = component.copies
        parts.append(ngettext("%(n)s bản sao", "%(n)s bản sao", n) % {"n": n})
    return ", ".join(parts) or "—"
