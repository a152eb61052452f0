"""``{% if user|holds_role:"leader" %}``: show a staff member only the menu entries their roles use."""

from __future__ import annotations

from typing import Any

from django import template

from motcua.accounts.selectors import user_has_role

register = template.Library()


@register.filter
def holds_role(user: Any, role: str) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user_has_role(user, role)
