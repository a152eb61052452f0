"""Two-factor (TOTP) rules, kept apart from views so that they can be tested alone."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import AccountKind


def two_factor_required(user: Any) -> bool:
    """Staff must use 2FA when the province requires it for all staff or an administrator demanded it.

    Citizens and businesses are never forced (they will log in with VNeID, which has its own factors).
    """
    if not getattr(user, "is_authenticated", False):
        return False
    is_staffish = getattr(user, "kind", "") == AccountKind.STAFF or user.is_staff or user.is_superuser
    if not is_staffish:
        return False
    return bool(settings.MOTCUA_REQUIRE_STAFF_2FA or getattr(user, "requires_2fa", False))


def user_must_verify_second_factor(user: Any, request: HttpRequest) -> bool:
    """True while a logged-in user who has (or must have) a TOTP device has not yet verified it."""
    if not getattr(user, "is_authenticated", False):
        return False
    # Right after login() the user is not yet wrapped by OTPMiddleware: a fresh password login is unverified.
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return False
    if user_has_device(user, confirmed=True):
        return True
    return two_factor_required(user)


def totp_verify_for_user(user: Any, token: str) -> tuple[TOTPDevice | None, str]:
    """Check ``token`` against the user's confirmed devices: (device, "") or (None, message).

    django-otp throttles each device after a failure (1 s, then doubling); while throttled the message
    says so instead of "wrong code", so a person knows to wait.
    """
    throttled = False
    for device in TOTPDevice.objects.devices_for_user(user, confirmed=True):
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            throttled = True
            continue
        if device.verify_token(token):
            return device, ""
    if throttled:
        return None, _(
            "Bạn đã nhập sai nhiều lần, vui lòng chờ giây lát rồi thử lại / "
            "Too many wrong codes, please wait a moment and try again."
        )
    return None, _("Mã xác thực không đúng hoặc đã hết hạn / The code is wrong or expired.")


def totp_device_for_enrolment(user: Any) -> TOTPDevice:
    """The user's pending (unconfirmed) device, created on first visit so the QR code stays the same."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, confirmed=False, name=_("Ứng dụng xác thực"))
    return device
