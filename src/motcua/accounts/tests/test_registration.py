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
