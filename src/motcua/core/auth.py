"""API authentication: bearer tokens for machine clients, the Django session (with CSRF) in the browser."""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from motcua.core import clock
from motcua.core.models import ApiToken


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, user: Any, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with the clear key, which is shown once and never stored."""
    key = "mc_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, key_prefix=key[:8], key_hash=_digest(key))
    return token, key


# A busy integrator sends hundreds of requests a second with one token. Each process keeps a verified
# token for a few seconds, so the common case costs no query; revoking a token or deactivating its user
# takes effect within MOTCUA_API_TOKEN_CACHE_SECONDS everywhere (at once in the process that saved it).
_token_cache: dict[str, tuple[float, ApiToken]] = {}
_TOKEN_CACHE_MAX = 1024


def api_token_forget(*, key_hash: str | None = None) -> None:
    """Drop one cached token (or all): called when a token is revoked or its user changes."""
    if key_hash is None:
        _token_cache.clear()
    else:
        _token_cache.pop(key_hash, None)


def _token_lookup(digest: str) -> ApiToken | None:
    cached = _token_cache.get(digest)
    monotonic = time.monotonic()
    if cached is not None and monotonic - cached[0] < settings.MOTCUA_API_TOKEN_CACHE_SECONDS:
        return cached[1]
    found = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=digest, revoked_at__isnull=True, user__is_active=True)
        .order_by()[:1]
    )
    token = next(iter(found), None)
    if token is None:
        _token_cache.pop(digest, None)
        return None
    if len(_token_cache) >= _TOKEN_CACHE_MAX:
        _token_cache.clear()
    _token_cache[digest] = (monotonic, token)
    return token


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        found = _token_lookup(_digest(token))
        if found is None:
            return None
        now = clock.now()
        # One write per minute at most: the token is read on every request of a busy integrator.
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
            found.last_used_at = now
        request.user = found.user
        return found.user


class OptionalAuth(SessionAuth):
    """Session auth that lets anonymous callers through (for public endpoints that also serve users)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        return request.user


api_auth = [TokenAuth(), SessionAuth()]


def api_token_with_key(*, user: Any, name: str, key: str) -> ApiToken:
    """The token whose clear key is ``key`` (created once): for keys configured outside, such as the
    demo's (``accounts.demo.demo_api_tokens``)."""
    token, _created = ApiToken.objects.get_or_create(
        key_hash=_digest(key), defaults={"user": user, "name": name, "key_prefix": key[:8]}
    )
    return token
