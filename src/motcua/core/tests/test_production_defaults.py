"""Production mode is secure unless a variable turns a protection off on purpose (review security F7).

Settings are read once per process, so each case imports them in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

PRINT_SETTINGS = """
import json
from motcua.config import settings as s
print(json.dumps({
    "session_secure": s.SESSION_COOKIE_SECURE, "csrf_secure": s.CSRF_COOKIE_SECURE,
    "ssl_redirect": s.SECURE_SSL_REDIRECT, "hsts": s.SECURE_HSTS_SECONDS, "csp": s.SECURE_CSP,
}))
"""


def _settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    # Settings create their var folder: keep it in a temporary place whatever the case says.
    clean.update(env, MOTCUA_VAR_DIR=tempfile.gettempdir())
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], env=clean, capture_output=True, text=True, check=False
    )


def _values(**env: str) -> dict[str, object]:
    result = _settings(**env)
    assert result.returncode == 0, result.stderr
    values: dict[str, object] = json.loads(result.stdout)
    return values


PRODUCTION = {
    "MOTCUA_PRODUCTION": "1",
    "MOTCUA_SECRET_KEY": "a-real-secret-of-enough-length-0123456789",
    # A Fernet key (32 url-safe base64 bytes) for identity-document uploads: required in production.
    "MOTCUA_SENSITIVE_FILES_KEY": "bW90Y3VhLXRlc3Qta2V5LW5vdC1mb3ItcmVhbC11c2U=",
}


def test_production_turns_on_secure_cookies_https_hsts_and_a_strict_csp() -> None:
    values = _values(**PRODUCTION)
    assert values["session_secure"] is True
    assert values["csrf_secure"] is True
    assert values["ssl_redirect"] is True
    assert values["hsts"] == 365 * 24 * 3600
    csp = values["csp"]
    assert isinstance(csp, dict)
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["upgrade-insecure-requests"] is True


def test_blank_switches_as_in_env_example_keep_the_production_defaults() -> None:
    switches = ("MOTCUA_SECURE_COOKIES", "MOTCUA_SSL_REDIRECT", "MOTCUA_HSTS_SECONDS", "MOTCUA_CSP")
    blank = dict.fromkeys(switches, "")
    assert _values(**PRODUCTION, **blank) == _values(**PRODUCTION)


def test_the_env_example_file_starts_a_secure_production_instance() -> None:
    example = Path(__file__).resolve().parents[4] / ".env.example"
    env = {}
    for line in example.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            env[name] = value
    assert env["MOTCUA_PRODUCTION"] == "1"
    env["MOTCUA_SECRET_KEY"] = PRODUCTION["MOTCUA_SECRET_KEY"]
    env["MOTCUA_SENSITIVE_FILES_KEY"] = PRODUCTION["MOTCUA_SENSITIVE_FILES_KEY"]
    values = _values(**env)
    assert (values["session_secure"], values["ssl_redirect"]) == (True, True)
    assert values["hsts"] == 365 * 24 * 3600


def test_the_demo_mode_stays_plain_http() -> None:
    values = _values()
    assert (values["session_secure"], values["ssl_redirect"], values["hsts"]) == (False, False, 0)


def test_a_protection_can_be_turned_off_on_purpose() -> None:
    values = _values(**PRODUCTION, MOTCUA_HSTS_SECONDS="0", MOTCUA_SSL_REDIRECT="0", MOTCUA_CSP="0")
    assert (values["hsts"], values["ssl_redirect"], values["csp"]) == (0, False, {})


@pytest.mark.parametrize("unsafe", [{"MOTCUA_DEBUG": "1"}, {"MOTCUA_SECURE_COOKIES": "0"}])
def test_production_refuses_to_start_with_debug_or_insecure_cookies(unsafe: dict[str, str]) -> None:
    refused = _settings(**PRODUCTION, **unsafe)
    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr
    assert "MOTCUA_ALLOW_INSECURE_PRODUCTION" in refused.stderr
    assert _settings(**PRODUCTION, **unsafe, MOTCUA_ALLOW_INSECURE_PRODUCTION="1").returncode == 0


def test_the_demo_command_refuses_to_run_in_production(settings, db) -> None:  # type: ignore[no-untyped-def]
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="MOTCUA_PRODUCTION"):
        call_command("demo")
