"""TOTP two-factor login for staff, through the pages."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _login(username: str) -> Client:
    client = Client()
    assert (
        client.post("/accounts/login/", {"username": username, "password": "motcua-test-pass"}).status_code
        == 302
    )
    return client


def test_staff_with_a_device_must_enter_the_code_before_staff_pages(clerk_binh) -> None:
    device = TOTPDevice.objects.create(user=clerk_binh, name="app", confirmed=True)
    client = _login("binh")
    assert client.get("/mot-cua/")["Location"].startswith("/accounts/two-factor/")
    assert client.get("/admin/")["Location"].startswith("/accounts/two-factor/")
    wrong = client.post(
        "/accounts/two-factor/", {"token": "000000" if _code(device) != "000000" else "111111"}
    )
    assert "không đúng" in wrong.content.decode()
    assert client.get("/mot-cua/").status_code == 302
    # django-otp throttles after a failure (1 s, doubling): a person retries a little later.
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30), tick=False):
        right = client.post("/accounts/two-factor/", {"token": _code(device)})
        assert right.status_code == 302
        assert client.get("/mot-cua/").status_code == 200


def test_when_required_staff_without_a_device_are_sent_to_enrol(clerk_binh, settings) -> None:
    settings.MOTCUA_REQUIRE_STAFF_2FA = True
    client = _login("binh")
    assert client.get("/mot-cua/")["Location"].startswith("/accounts/two-factor/")
    setup = client.get("/accounts/two-factor/setup/")
    assert "data:image/svg+xml" in setup.content.decode()
    device = TOTPDevice.objects.get(user=clerk_binh, confirmed=False)
    client.post("/accounts/two-factor/setup/", {"token": _code(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/mot-cua/").status_code == 200


def test_an_administrator_can_require_two_factor_for_one_person(clerk_binh) -> None:
    clerk_binh.requires_2fa = True
    clerk_binh.save()
    client = _login("binh")
    assert client.get("/mot-cua/").status_code == 302


def test_citizens_are_never_forced(citizen_an, settings) -> None:
    settings.MOTCUA_REQUIRE_STAFF_2FA = True
    client = _login("an")
    assert client.get("/ho-so/").status_code == 200


def test_a_required_user_cannot_turn_two_factor_off(clerk_binh) -> None:
    clerk_binh.requires_2fa = True
    clerk_binh.save()
    device = TOTPDevice.objects.create(user=clerk_binh, name="app", confirmed=True)
    client = _login("binh")
    client.post("/accounts/two-factor/", {"token": _code(device)})
    time.sleep(0)  # same TOTP window is fine: django-otp refuses reuse only for the same device counter
    response = client.post("/accounts/two-factor/setup/", {"token": _code(device)})
    assert "bắt buộc" in response.content.decode()
    assert TOTPDevice.objects.filter(user=clerk_binh, confirmed=True).exists()
