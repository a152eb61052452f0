from __future__ import annotations

import pytest
from django.test import Client

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


def test_a_citizen_can_register_and_is_logged_in() -> None:
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
    assert response.status_code == 302
    assert client.get("/ho-so/").status_code == 200
    assert User.objects.get(username="tu").kind == "citizen"


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
    assert response.status_code == 302
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
