"""Password guessing (review F4): django-axes locks an account and an address after 5 failures."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "motcua-test-pass"


def _try(client: Client, username: str, password: str, path: str = "/accounts/login/") -> int:
    return client.post(path, {"username": username, "password": password}).status_code


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(citizen_an) -> None:
    client = Client()
    codes = [_try(client, "an", f"wrong-{n}") for n in range(5)]
    assert codes[:4] == [200, 200, 200, 200]  # the form again, with "wrong name or password"
    assert codes[4] == 429
    response = client.post("/accounts/login/", {"username": "an", "password": PASSWORD})
    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    assert "tạm khóa trong 15 phút" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_recorded_for_the_audit(citizen_an) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(5):
        _try(client, "an", f"wrong-{n}")
    failures = AccessFailureLog.objects.filter(username="an", ip_address="203.0.113.7")
    assert failures.count() == 5
    assert failures.filter(locked_out=True).count() == 1
    attempt = AccessAttempt.objects.get(username="an")
    assert attempt.failures_since_start == 5
    assert PASSWORD not in attempt.post_data
    assert "wrong-" not in attempt.post_data


def test_the_lock_lifts_after_the_cool_off(citizen_an) -> None:
    client = Client()
    for n in range(5):
        _try(client, "an", f"wrong-{n}")
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16), tick=False):
        assert _try(client, "an", PASSWORD) == 302


def test_another_address_cannot_use_the_locked_account_either(citizen_an) -> None:
    for n in range(5):
        _try(Client(REMOTE_ADDR=f"198.51.100.{n}"), "an", f"wrong-{n}")
    assert _try(Client(REMOTE_ADDR="192.0.2.1"), "an", PASSWORD) == 429


def test_one_address_guessing_many_accounts_is_locked_out(citizen_an, citizen_other) -> None:
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(5):
        _try(attacker, f"nobody{n}", "guess")
    assert _try(attacker, "an", PASSWORD) == 429
    # The account itself stays usable from elsewhere.
    assert _try(Client(REMOTE_ADDR="192.0.2.1"), "an", PASSWORD) == 302


def test_a_success_resets_the_count(citizen_an) -> None:
    client = Client()
    for n in range(4):
        _try(client, "an", f"wrong-{n}")
    assert _try(client, "an", PASSWORD) == 302
    client.post("/accounts/logout/")
    for n in range(4):
        assert _try(client, "an", f"wrong-{n}") == 200


def test_the_admin_login_is_locked_out_too(admin_giang) -> None:
    client = Client()
    for n in range(5):
        _try(client, "giang", f"wrong-{n}", path="/admin/login/")
    response = client.post("/admin/login/", {"username": "giang", "password": PASSWORD})
    assert response.status_code == 429
    assert response.has_header("Retry-After")


def test_the_lockout_page_is_in_english_for_english_readers(citizen_an) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for n in range(5):
        _try(client, "an", f"wrong-{n}")
    page = client.post("/accounts/login/", {"username": "an", "password": PASSWORD}).content.decode()
    assert "temporarily locked for 15 minutes" in page
