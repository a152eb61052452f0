"""First TOTP enrolment asks for the password again and hands out recovery codes (review F15); pages of a
logged-in person are not cached; sessions end after a working day."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.tests.conftest import NOW

pytestmark = pytest.mark.django_db
PASSWORD = "motcua-test-pass"


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _login(username: str) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


def test_enrolment_a_while_after_login_asks_for_the_password_before_showing_the_secret(
    clerk_binh, frozen_time
) -> None:
    client = _login("binh")
    frozen_time.shift(dt.timedelta(minutes=5))
    page = client.get("/accounts/two-factor/setup/").content.decode()
    assert "nhập lại mật khẩu" in page
    assert "data:image/svg+xml" not in page
    # Confirming a code without the password does nothing either.
    device = TOTPDevice.objects.get(user=clerk_binh, confirmed=False)
    client.post("/accounts/two-factor/setup/", {"token": _code(device)})
    device.refresh_from_db()
    assert not device.confirmed
    wrong = client.post("/accounts/two-factor/setup/", {"password": "not-it"})
    assert "Mật khẩu không đúng" in wrong.content.decode()
    right = client.post("/accounts/two-factor/setup/", {"password": PASSWORD})
    assert right.status_code == 302
    assert "data:image/svg+xml" in client.get("/accounts/two-factor/setup/").content.decode()


def test_wrong_passwords_at_enrolment_count_towards_the_login_lockout(clerk_binh, frozen_time) -> None:
    client = _login("binh")
    frozen_time.shift(dt.timedelta(minutes=5))
    for n in range(5):
        client.post("/accounts/two-factor/setup/", {"password": f"wrong-{n}"})
    assert Client().post("/accounts/login/", {"username": "binh", "password": PASSWORD}).status_code == 429


def test_the_session_that_saw_the_secret_may_confirm_it_later(clerk_binh, frozen_time) -> None:
    client = _login("binh")
    client.get("/accounts/two-factor/setup/")  # right after login: no second password
    frozen_time.shift(dt.timedelta(minutes=3))  # scanning the QR code takes a while
    device = TOTPDevice.objects.get(user=clerk_binh, confirmed=False)
    page = client.post("/accounts/two-factor/setup/", {"token": _code(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert "Mã khôi phục" in page.content.decode()


def test_enrolment_shows_ten_recovery_codes_once_and_each_logs_in_once(clerk_binh) -> None:
    client = _login("binh")
    client.get("/accounts/two-factor/setup/")
    device = TOTPDevice.objects.get(user=clerk_binh, confirmed=False)
    page = client.post("/accounts/two-factor/setup/", {"token": _code(device)}).content.decode()
    codes = list(StaticToken.objects.filter(device__user=clerk_binh).values_list("token", flat=True))
    assert len(codes) == 10
    assert all(f"<code>{code}</code>" in page for code in codes)
    # Not shown again.
    assert codes[0] not in client.get("/accounts/two-factor/setup/").content.decode()

    with time_machine.travel(NOW + dt.timedelta(minutes=2), tick=False):
        again = _login("binh")
        assert again.get("/mot-cua/").status_code == 302  # the second factor is needed
        used = again.post("/accounts/two-factor/", {"token": codes[0].upper()})
        assert used.status_code == 302
        assert again.get("/mot-cua/").status_code == 200
        assert StaticToken.objects.filter(device__user=clerk_binh).count() == 9

    with time_machine.travel(NOW + dt.timedelta(minutes=4), tick=False):
        third = _login("binh")
        refused = third.post("/accounts/two-factor/", {"token": codes[0]})
        assert "đã dùng" in refused.content.decode()
        assert third.get("/mot-cua/").status_code == 302


def test_turning_two_factor_off_removes_the_recovery_codes(clerk_binh) -> None:
    client = _login("binh")
    client.get("/accounts/two-factor/setup/")
    device = TOTPDevice.objects.get(user=clerk_binh, confirmed=False)
    client.post("/accounts/two-factor/setup/", {"token": _code(device)})
    with time_machine.travel(NOW + dt.timedelta(seconds=31), tick=False):
        client.post("/accounts/two-factor/setup/", {"token": _code(device)})
    assert not StaticDevice.objects.filter(user=clerk_binh).exists()
    assert not TOTPDevice.objects.filter(user=clerk_binh).exists()


def test_pages_of_a_logged_in_person_are_not_stored(citizen_an) -> None:
    client = _login("an")
    assert client.get("/ho-so/")["Cache-Control"] == "no-store"
    assert "no-store" not in Client().get("/").get("Cache-Control", "")  # public pages stay cacheable


def test_api_answers_to_a_token_are_not_stored(citizen_an) -> None:
    from motcua.core.auth import api_token_create

    _token, key = api_token_create(user=citizen_an, name="test")
    response = Client().get("/api/v1/dossiers", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_a_session_ends_after_eight_hours(citizen_an) -> None:
    client = _login("an")
    with time_machine.travel(NOW + dt.timedelta(hours=7, minutes=59), tick=False):
        assert client.get("/ho-so/").status_code == 200
    with time_machine.travel(NOW + dt.timedelta(hours=8, minutes=1), tick=False):
        assert client.get("/ho-so/").status_code == 302
