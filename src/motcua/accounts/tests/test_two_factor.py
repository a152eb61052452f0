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


def test_the_login_page_is_in_vietnamese(db) -> None:
    page = Client().get("/accounts/login/").content.decode()
    assert "Đăng nhập" in page
    assert "VNeID" in page


def test_password_login_with_a_device_goes_straight_to_the_code_page(clerk_binh) -> None:
    TOTPDevice.objects.create(user=clerk_binh, name="app", confirmed=True)
    response = Client().post(
        "/accounts/login/?next=/mot-cua/", {"username": "binh", "password": "motcua-test-pass"}
    )
    assert response["Location"] == "/accounts/two-factor/?next=%2Fmot-cua%2F"


def test_password_login_without_a_device_goes_where_asked(clerk_binh) -> None:
    response = Client().post(
        "/accounts/login/?next=/mot-cua/", {"username": "binh", "password": "motcua-test-pass"}
    )
    assert response["Location"] == "/mot-cua/"


def test_password_login_of_a_required_user_without_device_leads_to_enrolment(clerk_binh, settings) -> None:
    settings.MOTCUA_REQUIRE_STAFF_2FA = True
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "binh", "password": "motcua-test-pass"}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith("/accounts/two-factor/setup/")
    assert "data:image/svg+xml" in response.content.decode()


def test_the_right_code_returns_to_the_page_asked_for(clerk_binh) -> None:
    device = TOTPDevice.objects.create(user=clerk_binh, name="app", confirmed=True)
    client = _login("binh")
    response = client.post("/accounts/two-factor/?next=/mot-cua/", {"token": _code(device)})
    assert response["Location"] == "/mot-cua/"


def test_next_cannot_send_people_to_another_site(clerk_binh) -> None:
    device = TOTPDevice.objects.create(user=clerk_binh, name="app", confirmed=True)
    client = _login("binh")
    response = client.post("/accounts/two-factor/?next=https://evil.example/", {"token": _code(device)})
    assert response["Location"] == "/"


def test_a_quick_retry_after_a_wrong_code_is_throttled(clerk_binh) -> None:
    device = TOTPDevice.objects.create(user=clerk_binh, name="app", confirmed=True)
    client = _login("binh")
    wrong = "000000" if _code(device) != "000000" else "111111"
    client.post("/accounts/two-factor/", {"token": wrong})
    response = client.post("/accounts/two-factor/", {"token": _code(device)})
    assert "chờ giây lát" in response.content.decode()
    assert client.get("/mot-cua/").status_code == 302


def test_a_code_that_is_neither_digits_nor_a_recovery_code_is_refused(clerk_binh) -> None:
    TOTPDevice.objects.create(user=clerk_binh, name="app", confirmed=True)
    client = _login("binh")
    response = client.post("/accounts/two-factor/", {"token": "12345a"})
    assert "Mã khôi phục không đúng" in response.content.decode()
    assert client.get("/mot-cua/").status_code == 302


def test_the_admin_needs_a_verified_session_then_opens(admin_giang) -> None:
    device = TOTPDevice.objects.create(user=admin_giang, name="app", confirmed=True)
    client = _login("giang")
    assert client.get("/admin/")["Location"] == "/accounts/two-factor/?next=%2Fadmin%2F"
    client.post("/accounts/two-factor/", {"token": _code(device)})
    assert client.get("/admin/").status_code == 200


def test_enrolment_shows_the_qr_code_and_secret_and_refuses_a_wrong_code(clerk_binh) -> None:
    client = _login("binh")
    page = client.get("/accounts/two-factor/setup/").content.decode()
    device = TOTPDevice.objects.get(user=clerk_binh, confirmed=False)
    assert 'src="data:image/svg+xml' in page
    assert device.config_url.startswith("otpauth://totp/")
    wrong = "000000" if _code(device) != "000000" else "111111"
    response = client.post("/accounts/two-factor/setup/", {"token": wrong})
    assert "không đúng" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    # The QR code stays the same on reload: the pending device is reused.
    client.get("/accounts/two-factor/setup/")
    assert TOTPDevice.objects.filter(user=clerk_binh).count() == 1


def test_a_staff_member_can_turn_two_factor_off_with_a_current_code(clerk_binh) -> None:
    device = TOTPDevice.objects.create(user=clerk_binh, name="app", confirmed=True)
    client = _login("binh")
    client.post("/accounts/two-factor/", {"token": _code(device)})
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=31), tick=False):
        response = client.post("/accounts/two-factor/setup/", {"token": _code(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=clerk_binh).exists()


def test_citizens_are_never_sent_to_two_factor_pages(citizen_an, settings) -> None:
    settings.MOTCUA_REQUIRE_STAFF_2FA = True
    response = Client().post("/accounts/login/", {"username": "an", "password": "motcua-test-pass"})
    assert response["Location"] == "/ho-so/"  # their dossiers, not a two-factor page
