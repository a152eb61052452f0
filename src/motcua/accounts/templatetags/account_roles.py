"""``{% if user|holds_role:"leader" %}``: show a staff member only the menu entries their roles use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from motcua.accounts.selectors import user_has_role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from motcua.accounts.models import User

register = template.Library()


@register.filter
def holds_role(user: User | AnonymousUser, role: str) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user_has_role(user, role)
