"""Template filters for the portal: ``{% load portal %}`` then ``version|time_limit``, ``amount|vnd``…"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext, ngettext

from motcua.catalog.models import Channel
from motcua.portal import presentation, selectors

register = template.Library()

# A Vietnamese legal document number: "04/2024/TT-BTP", "03/2013/TT-LLTP", "175/2024/NĐ-CP".
_LEGAL_TEXT_NUMBER = re.compile(r"\b\d{1,4}/\d{4}/[A-ZĐ][A-ZĐ0-9-]*")


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


@register.simple_tag
def site_contact() -> selectors.SiteContact | None:
    """``{% site_contact as contact %}``: the provincial service centre from the agency data, so that the
    footer, the procedure pages and the privacy notice give the same address."""
    return selectors.site_contact()


@register.filter
def names_a_legal_text(form_name: str) -> bool:
    """Does a form's name say which legal text issued it ("Mẫu số 03/2013/TT-LLTP", "… theo Thông tư
    04/2024/TT-BTP")? A bare "Mẫu số 17" does not; the page then says that the source is not published."""
    return bool(_LEGAL_TEXT_NUMBER.search(form_name or ""))
