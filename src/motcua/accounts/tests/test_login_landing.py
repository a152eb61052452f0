"""Where a login lands (walk.md step 6: staff landed on the public home page): staff at their desk,
citizens at their dossiers, unless a safe ``?next=`` says otherwise."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def login(username: str, next_url: str | None = None) -> Any:
    url = "/accounts/login/" + (f"?next={next_url}" if next_url is not None else "")
    return Client().post(url, {"username": username, "password": "motcua-test-pass"})


def test_staff_land_at_their_desk(clerk_binh: Any, leader_dung: Any) -> None:
    for username in ("binh", "dung"):
        response = login(username)
        assert response.status_code == 302
        assert response["Location"] == "/mot-cua/"


def test_citizens_land_at_their_dossiers(citizen_an: Any) -> None:
    response = login("an")
    assert response.status_code == 302
    assert response["Location"] == "/ho-so/"


def test_a_safe_next_wins(clerk_binh: Any, citizen_an: Any) -> None:
    assert login("binh", "/thu-tuc/")["Location"] == "/thu-tuc/"
    assert (
        login("an", "/ho-so/nop/1.001193.000.00.00.H99/")["Location"] == "/ho-so/nop/1.001193.000.00.00.H99/"
    )


@pytest.mark.parametrize("unsafe", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_an_unsafe_next_falls_back_to_the_landing_page(clerk_binh: Any, citizen_an: Any, unsafe: str) -> None:
    assert login("binh", unsafe)["Location"] == "/mot-cua/"
    assert login("an", unsafe)["Location"] == "/ho-so/"
