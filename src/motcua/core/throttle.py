"""Throttles for the doors that can be guessed through: fixed windows counted in Django's cache.

Password login has django-axes (accounts); this covers the rest — the public status look-up (failures per
dossier code and per client address), the anonymous verification upload, registration and the password
typed again to sign. A limiter needs two things django-ratelimit does not give: looking at a counter
without writing (``get_usage(increment=False)`` adds a key on every call, a write on the busiest read of
the system, the status look-up) and counting only failures after the answer is known. So this is a small
limiter on the cache API (``add``/``incr``/``get_many``), not a copy of one.

Counters are approximate under concurrency: the database cache's ``incr`` reads then writes, so two
workers failing at the same instant may count once. With a handful of workers that lets an attacker a
few guesses more per window, never an unbounded number (docs/security.md)."""

from __future__ import annotations

import hashlib
import ipaddress
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from motcua.core.errors import ApplicationError

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


class ThrottledError(ApplicationError):
    """Too many attempts: answered 429 with ``Retry-After`` (``extra["retry_after"]``, seconds)."""

    status_code = 429

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        minutes = max(1, -(-retry_after // 60))
        super().__init__(
            message
            or f"Bạn đã thử quá nhiều lần, vui lòng thử lại sau {minutes} phút / Too many attempts, "
            f"please try again in {minutes} minutes.",
            {"retry_after": retry_after},
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"5/15m"`` → 5 per 900 s; ``"20/h"`` → 20 per hour."""
        match = _RATE.match(text)
        if match is None:
            raise ValueError(f"not a rate: {text!r} (expected e.g. 5/15m)")
        count, multiple, unit = match.groups()
        return cls(limit=int(count), period=int(multiple or 1) * _PERIODS[unit])


def client_ip(request: HttpRequest) -> str:
    """The client's address: the peer, or the entry MOTCUA_TRUSTED_PROXY_COUNT proxies from the right of
    X-Forwarded-For (entries further left are written by the client and cannot be trusted)."""
    address = request.META.get("REMOTE_ADDR") or ""
    proxies = settings.MOTCUA_TRUSTED_PROXY_COUNT
    if proxies > 0:
        chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        chain = [part for part in chain if part]
        if len(chain) >= proxies:
            address = chain[-proxies]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    # One IPv6 customer holds a whole /64: count it as one client.
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def client_ip_or_none(request: HttpRequest) -> str | None:
    """The same address for django-axes, which stores it in an IP column (None when there is none)."""
    address = client_ip(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


@dataclass(frozen=True)
class Throttle:
    """``limit`` counted events per ``period`` for one ``scope`` (e.g. "lookup-code") and key."""

    scope: str
    setting: str  # the name of the setting that holds the rate, read on each use (tests override it)

    @property
    def rate(self) -> Rate:
        return Rate.parse(getattr(settings, self.setting))

    def _window(self, now: int) -> tuple[int, int]:
        """(start, end) of the fixed window holding ``now``."""
        period = self.rate.period
        start = now - now % period
        return start, start + period

    def _key(self, value: str, start: int) -> str:
        digest = hashlib.sha256(value.encode()).hexdigest()[:32]
        return f"throttle:{self.scope}:{digest}:{start}"

    def hit(self, value: str) -> None:
        """Count one event for ``value``."""
        now = int(time.time())
        start, end = self._window(now)
        key = self._key(value, start)
        # add() is atomic in every backend: the first event of a window creates the counter.
        if not cache.add(key, 1, timeout=end - now + 5):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=end - now + 5)


def throttle_retry_after(checks: Sequence[tuple[Throttle, str]]) -> int:
    """Seconds until every throttled key may be tried again (0: nothing is throttled). One cache read."""
    now = int(time.time())
    keys: dict[str, tuple[Throttle, int]] = {}
    for throttle, value in checks:
        start, end = throttle._window(now)
        keys[throttle._key(value, start)] = (throttle, end)
    counts = cache.get_many(list(keys))
    wait = 0
    for key, (throttle, end) in keys.items():
        if int(counts.get(key, 0)) >= throttle.rate.limit:
            wait = max(wait, end - now)
    return wait


def throttle_check(checks: Sequence[tuple[Throttle, str]]) -> None:
    """Raise ThrottledError if any of ``checks`` has used up its window."""
    wait = throttle_retry_after(checks)
    if wait:
        raise ThrottledError(wait)


def throttle_hit(checks: Sequence[tuple[Throttle, str]]) -> None:
    for throttle, value in checks:
        throttle.hit(value)


def throttled_response(error: ThrottledError, request: HttpRequest | None = None) -> HttpResponse:
    """429 with Retry-After: the API's usual ``{"message", "extra"}`` body, or a short page for people."""
    response: HttpResponse
    if request is None or request.path.startswith("/api/"):
        response = JsonResponse({"message": error.message, "extra": error.extra}, status=429)
    else:
        response = render(request, "core/throttled.html", {"message": error.message}, status=429)
    response["Retry-After"] = str(error.retry_after)
    return response


def throttle_request(request: HttpRequest, throttle: Throttle) -> None:
    """Count this request against ``throttle`` for the client's address; ThrottledError when used up."""
    checks = [(throttle, client_ip(request))]
    throttle_check(checks)
    throttle_hit(checks)


LOOKUP_PER_CODE = Throttle("lookup-code", "MOTCUA_THROTTLE_LOOKUP_PER_CODE")
LOOKUP_PER_IP = Throttle("lookup-ip", "MOTCUA_THROTTLE_LOOKUP_PER_IP")
VERIFY_PER_IP = Throttle("verify-ip", "MOTCUA_THROTTLE_VERIFY_PER_IP")
REGISTER_PER_IP = Throttle("register-ip", "MOTCUA_THROTTLE_REGISTER_PER_IP")
SIGNING_PASSWORD = Throttle("signing-password", "MOTCUA_THROTTLE_SIGNING_PASSWORD")


def request_throttled(throttle: Throttle) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """For Django views where every submission counts (uploads to verify, registrations), per client
    address. A GET of the empty form is free. Answers 429 with Retry-After and a short page. (API
    operations call ``throttle_request`` themselves: django-ninja reads the view's own signature.)"""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.method in ("GET", "HEAD", "OPTIONS"):
                return view(request, *args, **kwargs)
            try:
                throttle_request(request, throttle)
            except ThrottledError as error:
                return throttled_response(error, request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
