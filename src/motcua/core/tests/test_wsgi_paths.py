"""The WSGI entry point sends session-less API calls through a short middleware stack and everything
else through the full one. The test client bypasses ``config.wsgi``, so these tests call it directly."""

from __future__ import annotations

import io
import json
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from motcua.config.wsgi import application, full_application
from motcua.core.auth import api_token_create

pytestmark = pytest.mark.django_db(transaction=True)


def _call(
    path: str, *, query: str = "", headers: dict[str, str] | None = None
) -> tuple[str, dict[str, str], bytes]:
    environ: dict[str, Any] = {
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "REQUEST_METHOD": "GET",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.input": io.BytesIO(b""),
    }
    environ.update(headers or {})
    setup_testing_defaults(environ)
    captured: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        captured["status"] = status
        captured["headers"] = dict(response_headers)

    body = b"".join(application(environ, start_response))
    return captured["status"], captured["headers"], body


def test_a_token_call_works_on_the_short_stack_and_keeps_the_security_headers(citizen_an) -> None:
    _, key = api_token_create(user=citizen_an, name="t")
    status, headers, body = _call("/api/v1/dossiers", headers={"HTTP_AUTHORIZATION": f"Bearer {key}"})
    assert status.startswith("200")
    assert json.loads(body) == []
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in headers
    assert headers["X-Frame-Options"] == "DENY"


def test_without_a_token_a_private_endpoint_is_refused(citizen_an) -> None:
    status, _, _ = _call("/api/v1/dossiers")
    assert status.startswith("401")


def test_an_unknown_host_is_still_refused() -> None:
    status, _, _ = _call("/api/v1/openapi.json", headers={"HTTP_HOST": "evil.example"})
    assert status.startswith("400")


def test_a_browser_session_takes_the_full_stack_where_two_factor_applies(clerk_binh, settings) -> None:
    """A staff member who must use two-factor login and has not passed it is stopped even on the API."""
    settings.MOTCUA_REQUIRE_STAFF_2FA = True
    session = SessionStore()
    session[SESSION_KEY] = str(clerk_binh.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = clerk_binh.get_session_auth_hash()
    session.save()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    status, headers, _ = _call("/api/v1/dossiers", headers={"HTTP_COOKIE": cookie})
    assert status.startswith("302")
    assert "/accounts/" in headers["Location"]


def test_the_payment_platforms_notification_takes_the_short_stack() -> None:
    """A server's call signed with HMAC, never with a session: no page language, no user to load."""
    status, headers, body = _call("/thanh-toan/vnpay/ipn/", query="vnp_TxnRef=x&vnp_SecureHash=forged")
    assert status.startswith("200")
    assert json.loads(body)["RspCode"] == "97"  # checked all the same: a bad signature
    assert "Content-Language" not in headers  # LocaleMiddleware did not run: the short stack
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_pages_use_the_full_stack() -> None:
    status, headers, _ = _call("/")
    assert status.startswith("200")
    assert "Content-Language" in headers  # LocaleMiddleware ran: only the full stack has it
    assert full_application is not None
