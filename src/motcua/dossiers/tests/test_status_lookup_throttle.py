"""The public status look-up cannot be brute-forced (review F2): failures are counted per dossier code and
per client address, then answered 429 with Retry-After; the factor travels in a POST body."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.tests.conftest import pdf

pytestmark = pytest.mark.django_db


def _right(code: str) -> str:
    """The dossier's look-up secret, printed on its receipt (docs/deadlines.md, the look-up's factor)."""
    from motcua.dossiers.models import Dossier

    return Dossier.objects.get(code=code).lookup_secret


@pytest.fixture
def code(citizen_an: Any, bulletin_version: ProcedureVersion, frozen: Any) -> str:
    client = Client()
    client.force_login(citizen_an)
    components = list(bulletin_version.components.order_by("order"))
    payload = {
        "procedure": bulletin_version.procedure.local_code,
        "applicant": {"name": "Nguyễn Văn An", "id_number": "001090012345", "phone": "0912345678"},
    }
    files = {f"component_{components[0].pk}": pdf(), f"component_{components[1].pk}": pdf("mau.pdf")}
    response = client.post("/api/v1/dossiers", {"data": json.dumps(payload), **files})
    assert response.status_code == 201, response.content
    return str(response.json()["code"])


def _lookup(client: Client, code: str, factor: str) -> Any:
    return client.post(
        f"/api/v1/dossiers/{code}/status", json.dumps({"factor": factor}), content_type="application/json"
    )


def test_the_factor_travels_in_the_post_body(code: str) -> None:
    response = _lookup(Client(), code, _right(code))
    assert response.status_code == 200
    assert response.json()["code"] == code
    assert response["Cache-Control"] == "no-store"
    assert _lookup(Client(), code, "0000").status_code == 404


def test_after_five_wrong_factors_for_one_code_even_the_right_one_gets_429(code: str) -> None:
    # Five guessers from five addresses: the code itself is protected, not only the address.
    for n in range(5):
        assert _lookup(Client(REMOTE_ADDR=f"198.51.100.{n}"), code, f"{1000 + n}").status_code == 404
    response = _lookup(Client(REMOTE_ADDR="192.0.2.50"), code, _right(code))
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 15 * 60
    assert response.json()["extra"]["retry_after"] == retry_after
    assert "quá nhiều lần" in response.json()["message"]


def test_the_code_opens_again_when_the_window_ends(code: str, frozen: Any) -> None:
    for n in range(5):
        _lookup(Client(), code, f"{1000 + n}")
    retry_after = int(_lookup(Client(), code, _right(code))["Retry-After"])
    frozen.shift(dt.timedelta(seconds=retry_after))
    assert _lookup(Client(), code, _right(code)).status_code == 200


def test_right_answers_do_not_count(code: str) -> None:
    for _ in range(20):
        assert _lookup(Client(), code, _right(code)).status_code == 200


@override_settings(MOTCUA_THROTTLE_LOOKUP_PER_IP="8/15m")
def test_one_address_trying_many_codes_is_throttled(code: str) -> None:
    guesser = Client(REMOTE_ADDR="203.0.113.5")
    prefix = code.rsplit("-", 1)[0]
    for n in range(8):
        assert _lookup(guesser, f"{prefix}-{n + 100:04d}", _right(code)).status_code == 404
    assert _lookup(guesser, code, _right(code)).status_code == 429
    assert _lookup(Client(REMOTE_ADDR="192.0.2.1"), code, _right(code)).status_code == 200


def test_the_deprecated_get_is_throttled_the_same_way(code: str) -> None:
    for n in range(5):
        Client().get(f"/api/v1/dossiers/{code}/status", {"factor": f"{1000 + n}"})
    response = Client().get(f"/api/v1/dossiers/{code}/status", {"factor": _right(code)})
    assert response.status_code == 429
    assert response.has_header("Retry-After")


def test_the_get_is_marked_deprecated_in_the_openapi_schema(db: None) -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    operations = paths["/api/v1/dossiers/{code}/status"]
    assert operations["get"]["deprecated"] is True
    assert "deprecated" not in operations["post"]


def test_the_tracking_page_posts_the_factor_and_is_throttled(code: str) -> None:
    client = Client()
    form = client.get(f"/tra-cuu/?code={code}").content.decode()
    assert 'method="post"' in form
    assert f'value="{code}"' in form  # the receipt's QR code fills in the code
    found = client.post("/tra-cuu/", {"code": code, "factor": _right(code)})
    assert "Hồ sơ đã được nộp" in found.content.decode()
    assert found["Cache-Control"] == "no-store"
    for n in range(5):
        assert client.post("/tra-cuu/", {"code": code, "factor": f"{1000 + n}"}).status_code == 200
    refused = client.post("/tra-cuu/", {"code": code, "factor": _right(code)})
    assert refused.status_code == 429
    assert refused.has_header("Retry-After")
    assert "Hồ sơ đã được nộp" not in refused.content.decode()


def test_a_factor_in_the_page_url_is_ignored(code: str) -> None:
    page = Client().get(f"/tra-cuu/?code={code}&factor={_right(code)}").content.decode()
    assert "Hồ sơ đã được nộp" not in page


def test_counters_are_shared_through_the_database_cache(code: str, settings: Any) -> None:
    """What every granian worker sees in production: the counters in the database table."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "motcua_cache"}
    }
    from django.core.management import call_command

    call_command("createcachetable", verbosity=0)
    caches["default"].clear()
    for n in range(5):
        _lookup(Client(), code, f"{1000 + n}")
    assert _lookup(Client(), code, _right(code)).status_code == 429
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM motcua_cache")
        assert cursor.fetchone()[0] >= 2  # the code's counter and the address's
