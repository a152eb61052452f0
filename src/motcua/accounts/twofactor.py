"""Two-factor (TOTP) rules, kept apart from views so that they can be tested alone."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import AccountKind, User
from motcua.core import clock


def two_factor_required(user: User | AnonymousUser) -> bool:
    """Staff must use 2FA when the province requires it for all staff or an administrator demanded it.

    Citizens and businesses are never forced (they will log in with VNeID, which has its own factors).
    """
    if not getattr(user, "is_authenticated", False):
        return False
    is_staffish = getattr(user, "kind", "") == AccountKind.STAFF or user.is_staff or user.is_superuser
    if not is_staffish:
        return False
    return bool(settings.MOTCUA_REQUIRE_STAFF_2FA or getattr(user, "requires_2fa", False))


def user_must_verify_second_factor(user: User | AnonymousUser, request: HttpRequest) -> bool:
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


def totp_verify_for_user(user: User, token: str) -> tuple[TOTPDevice | None, str]:
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


def totp_device_for_enrolment(user: User) -> TOTPDevice:
    """The user's pending (unconfirmed) device, created on first visit so the QR code stays the same."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, confirmed=False, name=_("Ứng dụng xác thực"))
    return device


# --- Re-authentication before enrolment, recovery codes (review F15) --------------------------------

# The session remembers when the password was last typed (login or the enrolment page), and which pending
# device this session was shown after that: only that session may confirm it.
PASSWORD_AT_SESSION_KEY = "motcua_password_at"  # noqa: S105 (a session key)
ENROLMENT_SESSION_KEY = "motcua_enrolment_device"
RECOVERY_CODE_COUNT = 10


def password_confirmed(request: HttpRequest) -> None:
    """Note that the person has just typed their password (login, re-authentication)."""
    request.session[PASSWORD_AT_SESSION_KEY] = clock.now().timestamp()


def password_recently_confirmed(request: HttpRequest) -> bool:
    """True if the password was typed within MOTCUA_REAUTH_SECONDS in this session."""
    at = request.session.get(PASSWORD_AT_SESSION_KEY)
    if not isinstance(at, int | float):
        return False
    return 0 <= clock.now().timestamp() - at <= settings.MOTCUA_REAUTH_SECONDS


def recovery_codes_issue(user: User) -> list[str]:
    """Replace the person's recovery codes with RECOVERY_CODE_COUNT new ones, each usable once.

    They are shown once; django-otp keeps them as they are (8 random base32 characters, 40 bits each),
    and, like the TOTP secret, they only help someone who also knows the password."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("Mã khôi phục"), confirmed=True)
    codes = [StaticToken.random_token() for _n in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_code_verify_for_user(user: User, code: str) -> tuple[StaticDevice | None, str]:
    """Check a recovery code (spaces, dashes and case ignored); a right one is used up."""
    normalised = "".join(ch for ch in code.lower() if ch.isalnum())
    throttled = False
    for device in StaticDevice.objects.devices_for_user(user, confirmed=True):
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            throttled = True
            continue
        if device.verify_token(normalised):
            return device, ""
    if throttled:
        return None, _(
            "Bạn đã nhập sai nhiều lần, vui lòng chờ giây lát rồi thử lại / "
            "Too many wrong codes, please wait a moment and try again."
        )
    return None, _("Mã khôi phục không đúng hoặc đã dùng / The recovery code is wrong or used.")


def second_factor_verify_for_user(user: User, code: str) -> tuple[Any, str]:
    """A 6-digit code goes to the authenticator app's device, anything else is tried as a recovery code."""
    value = code.strip()
    if len(value) == 6 and value.isdigit():
        return totp_verify_for_user(user, value)
    return recovery_code_verify_for_user(user, value)


def second_factor_remove(user: User) -> None:
    """Turning two-factor off removes the app's device and the recovery codes with it."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
