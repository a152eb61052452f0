"""Two-factor (TOTP) rules, kept apart from views so that they can be tested alone."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_otp import user_has_device


def two_factor_required(user: Any) -> bool:
    """Staff must use 2FA when the province requires it for all staff or an administrator demanded it."""
    if not getattr(user, "is_authenticated", False):
        return False
    is_staffish = getattr(user, "kind", "") == "staff" or user.is_staff or user.is_superuser
    if not is_staffish:
        return False
    return bool(settings.MOTCUA_REQUIRE_STAFF_2FA or getattr(user, "requires_2fa", False))


def user_must_verify_second_factor(user: Any, request: HttpRequest) -> bool:
    """True while a logged-in user who has (or must have) a TOTP device has not yet verified it."""
    if user.is_verified():
        return False
    if user_has_device(user, confirmed=True):
        return True
    return two_factor_required(user)
