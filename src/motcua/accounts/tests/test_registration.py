from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client, override_settings

from motcua.accounts.models import User
from motcua.accounts.validators import national_id_problem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("001090012345", True),
        ("00109001234", False),
        ("097090012345", False),
        ("001990012345", False),
        ("0010900123ab", False),
        ("079205000001", True),
    ],
)
def test_national_id_rules(value: str, ok: bool) -> None:
    assert (national_id_problem(value) == "") is ok


def test_registration_shows_field_errors_and_keeps_nothing() -> None:
    response = Client().post(
        "/accounts/register/",
        {
            "full_name": "Lê Văn Tư",
            "national_id": "123",
            "phone": "0901234567",
            "username": "tu",
            "password": "x",
        },
    )
    page = response.content.decode()
    assert "12 chữ số" in page
    assert not User.objects.filter(username="tu").exists()


def test_a_citizen_can_register_then_log_in() -> None:
    client = Client()
    response = client.post(
        "/accounts/register/",
        {
            "full_name": "Lê Văn Tư",
            "national_id": "001090077777",
            "phone": "0901234567",
            "username": "tu",
            "password": "mat-khau-rat-dai-2026",
        },
    )
    assert "Đã nhận yêu cầu đăng ký" in response.content.decode()
    assert User.objects.get(username="tu").kind == "citizen"
    assert (
        client.post("/accounts/login/", {"username": "tu", "password": "mat-khau-rat-dai-2026"}).status_code
        == 302
    )
    assert client.get("/ho-so/").status_code == 200


def test_a_future_century_digit_is_a_field_error() -> None:
    response = Client().post(
        "/accounts/register/",
        {
            "full_name": "Lê Văn Tư",
            "national_id": "001490077777",
            "phone": "0901234567",
            "username": "tu",
            "password": "mat-khau-rat-dai-2026",
        },
    )
    assert "tương lai" in response.content.decode()
    assert not User.objects.filter(username="tu").exists()


def test_national_id_tells_birth_year_and_sex() -> None:
    from motcua.accounts.validators import national_id_birth_year_and_sex

    assert national_id_birth_year_and_sex("001090012345") == (1990, "male")
    assert national_id_birth_year_and_sex("079305000001") == (2005, "female")


def test_a_business_registers_with_its_code_and_name() -> None:
    data = {
        "kind": "business",
        "full_name": "Trần Văn Giám Đốc",
        "national_id": "001085012399",
        "phone": "0243123456",
        "username": "congty.xyz",
        "password": "mat-khau-rat-dai-2026",
    }
    missing = Client().post("/accounts/register/", data).content.decode()
    assert "Bắt buộc với tài khoản doanh nghiệp" in missing
    response = Client().post(
        "/accounts/register/",
        {**data, "organisation_name": "Công ty TNHH XYZ", "business_code": "0109876543"},
    )
    assert "Đã nhận yêu cầu đăng ký" in response.content.decode()
    user = User.objects.get(username="congty.xyz")
    assert (user.kind, user.business_code) == ("business", "0109876543")


def test_a_weak_password_is_a_field_error() -> None:
    response = Client().post(
        "/accounts/register/",
        {
            "full_name": "Lê Văn Tư",
            "national_id": "001090077777",
            "phone": "0901234567",
            "username": "tu",
            "password": "12345678",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="tu").exists()
    assert response.context["form"].errors["password"]


def _register(national_id: str, username: str, **extra: str) -> Any:
    return Client().post(
        "/accounts/register/",
        {
            "full_name": "Lê Văn Tư",
            "national_id": national_id,
            "phone": "0901234567",
            "username": username,
            "password": "mat-khau-rat-dai-2026",
            **extra,
        },
    )


def _normalised(response: Any, *secrets: str) -> str:
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    for secret in secrets:
        page = page.replace(secret, "")
    return page


def test_registration_answers_the_same_for_a_taken_and_a_free_id(citizen_an) -> None:
    """Review F14: the page must not tell which ID numbers have accounts."""
    taken = _register(citizen_an.national_id, "tu1")
    free = _register("001090077777", "tu2")
    assert taken.status_code == free.status_code == 200
    assert _normalised(taken, "tu1") == _normalised(free, "tu2")
    # Only the free number got an account; the taken one was left as it was.
    assert User.objects.filter(username="tu2").exists()
    assert not User.objects.filter(username="tu1").exists()
    assert User.objects.get(national_id=citizen_an.national_id).username == "an"


def test_a_weak_password_is_reported_whether_or_not_the_id_is_taken(citizen_an) -> None:
    taken = _register(citizen_an.national_id, "tu1", password="123")
    free = _register("001090077777", "tu2", password="123")
    assert _normalised(taken, "tu1", citizen_an.national_id) == _normalised(free, "tu2", "001090077777")
    assert "Đã nhận yêu cầu" not in taken.content.decode()


@override_settings(MOTCUA_THROTTLE_REGISTER_PER_IP="3/1h")
def test_registration_is_throttled_per_address() -> None:
    client = Client(REMOTE_ADDR="203.0.113.30")
    for n in range(3):
        client.post("/accounts/register/", {"national_id": f"00109007777{n}"})
    refused = client.post("/accounts/register/", {"national_id": "001090077779"})
    assert refused.status_code == 429
    assert refused.has_header("Retry-After")
    assert client.get("/accounts/register/").status_code == 200
