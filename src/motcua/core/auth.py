"""API authentication: bearer tokens for machine clients, the Django session (with CSRF) in the browser.

A token's life (docs/security.md): its owner creates it on "Khóa API" (/accounts/api-tokens/) with a name,
scopes and an end date, and sees the key once; only the key's SHA-256 is stored. It works until it expires
or is revoked — by the owner on the same page or by an administrator (Django admin). A staff member's token
needs the owner's two-factor device both when it is created and on every use, and never signs."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from motcua.core import clock
from motcua.core.errors import ApplicationError, PermissionDeniedError
from motcua.core.models import ApiToken, TokenScope

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

# `motcua demo` names its two published tokens so (accounts/demo.py); see _second_factor_ok.
DEMO_TOKEN_NAME = "demo"  # noqa: S105 (a name, not a secret)
# Where the token behind a bearer request is noted (a WSGI environ key, like "wsgi.input").
_TOKEN_ENVIRON_KEY = "motcua.api_token_id"  # noqa: S105 (a key name)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(
    *,
    user: AbstractBaseUser,
    name: str,
    scopes: Iterable[str] | None = None,
    expires_at: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token and return it with the clear key, which is shown once and never stored.

    No checks: for the demo, tests and benchmarks. People and administrators go through api_token_issue."""
    key = "mc_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user_id=user.pk,
        name=name,
        key_prefix=key[:8],
        key_hash=_digest(key),
        scopes=list(scopes) if scopes is not None else list(TokenScope.values),
        expires_at=expires_at,
    )
    return token, key


def _is_staff_account(user: AbstractBaseUser) -> bool:
    return getattr(user, "kind", "") == "staff" or bool(
        getattr(user, "is_staff", False) or getattr(user, "is_superuser", False)
    )


def _has_confirmed_totp(user: AbstractBaseUser) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def _second_factor_ok(token: ApiToken) -> bool:
    """A staff member's token works only while its owner has a confirmed authenticator (TOTP) device.

    One exception keeps the published demo working: `motcua demo`'s own token (named "demo") for a staff
    member who is not required to use 2FA, outside production. With MOTCUA_REQUIRE_STAFF_2FA=1, a per-person
    requirement, or MOTCUA_PRODUCTION=1, the demo token needs 2FA like any other."""
    user = token.user
    if not _is_staff_account(user) or _has_confirmed_totp(user):
        return True
    from motcua.core.access import two_factor_required_for

    return token.name == DEMO_TOKEN_NAME and not settings.PRODUCTION and not two_factor_required_for(user)


def api_token_issue(
    *,
    owner: AbstractBaseUser,
    name: str,
    scopes: Iterable[str],
    expires_at: dt.datetime | None,
    by: AbstractBaseUser,
) -> tuple[ApiToken, str]:
    """A person (or an administrator for them) creates a token: named, scoped, with an end date."""
    name = name.strip()
    chosen = sorted(set(scopes))
    if not name:
        raise ApplicationError("Vui lòng đặt tên cho khóa / Give the token a name.", {"field": "name"})
    if not chosen or any(scope not in TokenScope.values for scope in chosen):
        raise ApplicationError("Chọn ít nhất một phạm vi hợp lệ / Choose valid scopes.", {"field": "scopes"})
    staff = _is_staff_account(owner)
    if TokenScope.STAFF_ACT in chosen and not staff:
        raise ApplicationError(
            "Chỉ cán bộ được cấp phạm vi xử lý hồ sơ / Only staff may hold the staff:act scope.",
            {"field": "scopes"},
        )
    now = clock.now()
    longest = settings.MOTCUA_API_TOKEN_MAX_DAYS
    if expires_at is not None and expires_at <= now:
        raise ApplicationError(
            "Ngày hết hạn phải ở tương lai / The end must be in the future.", {"field": "expires_at"}
        )
    if longest and (expires_at is None or expires_at > now + dt.timedelta(days=longest)):
        raise ApplicationError(
            f"Khóa dùng được tối đa {longest} ngày / A token lasts at most {longest} days.",
            {"field": "expires_at", "max_days": longest},
        )
    if staff and not _has_confirmed_totp(owner):
        raise PermissionDeniedError(
            "Cán bộ cần bật xác thực hai lớp trước khi tạo khóa API / Staff must set up two-factor "
            "authentication before creating an API token.",
            {"field": "owner"},
        )
    if by.pk != owner.pk:
        raise PermissionDeniedError("Mỗi người tự tạo khóa của mình / People create their own tokens.")
    return api_token_create(user=owner, name=name, scopes=chosen, expires_at=expires_at)


def api_token_administrable(*, token: ApiToken, by: AbstractBaseUser | AnonymousUser) -> bool:
    """The owner, a superuser, or an administrator whose agencies cover the owner (as in the user admin)."""
    if token.user_id == by.pk:
        return True
    from motcua.core.access import users_administered_by

    return bool(users_administered_by(by).filter(pk=token.user_id).exists())


def api_token_revoke(*, token: ApiToken, by: AbstractBaseUser | AnonymousUser) -> ApiToken:
    """Revoke a token (its owner or an administrator). Takes effect at once in this process and within
    MOTCUA_API_TOKEN_CACHE_SECONDS in the others."""
    if not api_token_administrable(token=token, by=by):
        raise PermissionDeniedError("Không có quyền thu hồi khóa này / You may not revoke this token.")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.revoked_by_id = by.pk
        token.save(update_fields=["revoked_at", "revoked_by"])  # post_save drops it from the cache
    return token


def api_tokens_for_owner(*, user: AbstractBaseUser) -> Any:
    return ApiToken.objects.filter(user_id=user.pk).order_by("-created_at")


# A busy integrator sends hundreds of requests a second with one token. Each process keeps a verified
# token for a few seconds, so the common case costs no query; revoking a token or deactivating its user
# takes effect within MOTCUA_API_TOKEN_CACHE_SECONDS everywhere (at once in the process that saved it).
_token_cache: dict[str, tuple[float, ApiToken, bool]] = {}
_TOKEN_CACHE_MAX = 1024


def api_token_forget(*, key_hash: str | None = None) -> None:
    """Drop one cached token (or all): called when a token is revoked or its user changes."""
    if key_hash is None:
        _token_cache.clear()
    else:
        _token_cache.pop(key_hash, None)


def _token_lookup(digest: str) -> tuple[ApiToken, bool] | None:
    """The live token with this digest and whether its owner's second factor allows its use."""
    cached = _token_cache.get(digest)
    monotonic = time.monotonic()
    if cached is not None and monotonic - cached[0] < settings.MOTCUA_API_TOKEN_CACHE_SECONDS:
        return cached[1], cached[2]
    found = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=digest, revoked_at__isnull=True, user__is_active=True)
        .order_by()[:1]
    )
    token = next(iter(found), None)
    if token is None:
        _token_cache.pop(digest, None)
        return None
    allowed = _second_factor_ok(token)
    if len(_token_cache) >= _TOKEN_CACHE_MAX:
        _token_cache.clear()
    _token_cache[digest] = (monotonic, token, allowed)
    return token, allowed


# Which scope a bearer request needs. Reads need dossiers:read; what an applicant writes (submission,
# supplement, withdrawal, rating) needs dossiers:write; every other change is a staff action (staff:act).
_APPLICANT_WRITES = re.compile(r"^/api/v1/dossiers(/[^/]+/(supply|withdraw|rating))?/?$")


def scope_for_request(request: HttpRequest) -> str:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return TokenScope.DOSSIERS_READ
    if _APPLICANT_WRITES.match(request.path):
        return TokenScope.DOSSIERS_WRITE
    return TokenScope.STAFF_ACT


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        looked_up = _token_lookup(_digest(token))
        if looked_up is None:
            return None
        found, second_factor_ok = looked_up
        now = clock.now()
        if found.expires_at is not None and found.expires_at <= now:
            return None  # 401, like an unknown token
        if not second_factor_ok:
            raise PermissionDeniedError(
                "Khóa API của cán bộ chỉ dùng được khi chủ khóa bật xác thực hai lớp / A staff token works "
                "only while its owner has two-factor authentication.",
                {"token": found.key_prefix},
            )
        needed = scope_for_request(request)
        if needed not in found.scopes:
            raise PermissionDeniedError(
                "Khóa API không có phạm vi này / The token lacks this scope.", {"scope": str(needed)}
            )
        # One write per minute at most: the token is read on every request of a busy integrator.
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
            found.last_used_at = now
        request.META[_TOKEN_ENVIRON_KEY] = found.pk
        request.user = found.user
        return found.user


def api_token_refuse_signing(request: HttpRequest) -> None:
    """Signing (approving a result that will carry the leader's signature, issuing a signed result) needs
    the person at the keyboard, in a session with their second factor — never a token (review F5)."""
    if request.META.get(_TOKEN_ENVIRON_KEY) is not None:
        raise PermissionDeniedError(
            "Không thể phê duyệt, ký số bằng khóa API; vui lòng đăng nhập / Approving and signing cannot be "
            "done with an API token; please log in.",
            {"reason": "token_cannot_sign"},
        )


class OptionalAuth(SessionAuth):
    """Session auth that lets anonymous callers through (for public endpoints that also serve users)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        return request.user


api_auth = [TokenAuth(), SessionAuth()]


def api_token_with_key(*, user: AbstractBaseUser, name: str, key: str) -> ApiToken:
    """The token whose clear key is ``key`` (created once): for keys configured outside, such as the
    demo's (``accounts.demo.demo_api_tokens``)."""
    token, _created = ApiToken.objects.get_or_create(
        key_hash=_digest(key), defaults={"user_id": user.pk, "name": name, "key_prefix": key[:8]}
    )
    return token
