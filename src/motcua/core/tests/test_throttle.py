"""The limiter's small parts: rates, the client's address behind proxies."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from motcua.core.throttle import Rate, client_ip, client_ip_or_none


@pytest.mark.parametrize(
    ("text", "limit", "period"),
    [("5/15m", 5, 900), ("30/h", 30, 3600), ("10/1h", 10, 3600), ("3/2d", 3, 172800)],
)
def test_rates_are_read_as_count_per_period(text: str, limit: int, period: int) -> None:
    assert Rate.parse(text) == Rate(limit=limit, period=period)


def test_a_rate_without_a_unit_is_refused() -> None:
    with pytest.raises(ValueError, match="not a rate"):
        Rate.parse("5 per minute")


def test_the_forwarded_for_header_is_ignored_without_trusted_proxies() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert client_ip(request) == "10.0.0.1"


@override_settings(MOTCUA_TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_rightmost_forwarded_address_is_the_client() -> None:
    # The client wrote the left entry itself; only what our proxy appended counts.
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.1")
    assert client_ip(request) == "203.0.113.1"


def test_an_ipv6_client_is_counted_per_64() -> None:
    one = RequestFactory().get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1")
    other = RequestFactory().get("/", REMOTE_ADDR="2001:db8:1:2:bbbb::9")
    assert client_ip(one) == client_ip(other) == "2001:db8:1:2::"


def test_axes_gets_none_for_an_address_that_is_not_one() -> None:
    assert client_ip_or_none(RequestFactory().get("/", REMOTE_ADDR="")) is None
