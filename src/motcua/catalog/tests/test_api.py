from __future__ import annotations

import pytest
from django.test import Client

from motcua.agencies.demo import load_demo_agencies
from motcua.catalog.demo import load_demo_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def catalogue() -> None:
    load_demo_agencies()
    load_demo_catalogue()


def test_search_api_folds_diacritics() -> None:
    body = Client().get("/api/v1/catalogue/procedures", {"q": "khai sinh", "level": "commune"}).json()
    assert body["count"] >= 1
    assert any(item["name"] == "Đăng ký khai sinh" for item in body["items"])


def test_detail_api_lists_components_fees_and_steps() -> None:
    body = Client().get("/api/v1/catalogue/procedures/3.000333.000.00.00.H99").json()
    assert body["time_limit_unit"] == "days"
    assert body["fees"][0]["amount"] == "200000"
    assert body["components"]
    assert [s["order"] for s in body["steps"]] == sorted(s["order"] for s in body["steps"])


def test_unknown_procedure_is_a_404_with_a_message() -> None:
    response = Client().get("/api/v1/catalogue/procedures/nope")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.json()["message"]


def test_openapi_is_3_1_and_docs_are_served_offline() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert "/api/v1/dossiers" in schema["paths"]
    docs = Client().get("/api/v1/docs").content.decode()
    assert "cdn." not in docs
    assert "unpkg" not in docs
