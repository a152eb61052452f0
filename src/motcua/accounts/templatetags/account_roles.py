"""``{% if user|holds_role:"leader" %}``: show a staff member only the menu entries their roles use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from motcua.accounts.selectors import user_has_role, user_monitors_only

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from motcua.accounts.models import User

register = template.Library()


@register.filter
def holds_role(user: User | AnonymousUser, role: str) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user_has_role(user, role)


@register.filter
def holds_any_role(user: User | AnonymousUser, roles: str) -> bool:
    """``{% if user|holds_any_role:"ioc_viewer,leader" %}``: one of several roles, anywhere."""
    return bool(getattr(user, "is_authenticated", False)) and any(
        user_has_role(user, role.strip()) for role in roles.split(",")
    )


@register.filter
def monitors_only(user: User | AnonymousUser) -> bool:
    """A staff member whose only role is watching the operations centre: no work desk of their own."""
    return bool(getattr(user, "is_authenticated", False)) and user_monitors_only(user)
