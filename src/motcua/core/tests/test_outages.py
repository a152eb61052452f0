"""A database outage answers 503 with Retry-After, an oversized body 413 — on the API as JSON, on the web as
a short Vietnamese and English page — instead of Django's 500 page (review reliability F9, security F13)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

from motcua.core.middleware import DATABASE_RETRY_AFTER_SECONDS

pytestmark = pytest.mark.django_db


@contextmanager
def database_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every query fails as it does while PostgreSQL restarts."""

    def refuse(self: BaseDatabaseWrapper, name: str | None = None) -> None:
        raise OperationalError("terminating connection due to administrator command")

    with monkeypatch.context() as patch:
        patch.setattr(BaseDatabaseWrapper, "_cursor", refuse)
        yield


def _assert_retry_later(response: Any) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == str(DATABASE_RETRY_AFTER_SECONDS)


def test_the_api_answers_503_json_with_retry_after_while_the_database_is_down(monkeypatch) -> None:
    with database_down(monkeypatch):
        response = Client().get("/api/v1/catalogue/procedures")
    _assert_retry_later(response)
    body = response.json()
    assert "briefly unavailable" in body["message"]
    assert body["extra"] == {"outage": "database", "retry_safe": True, "retry_after": 10}


def test_a_web_page_answers_503_in_vietnamese_and_english(monkeypatch) -> None:
    with database_down(monkeypatch):
        response = Client().get("/thu-tuc/")
    _assert_retry_later(response)
    page = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert "Hệ thống tạm thời gián đoạn" in page
    assert "briefly unavailable" in page


def test_an_outage_met_while_loading_the_session_answers_503_too(monkeypatch, citizen_an) -> None:
    # The session and the user are loaded by middleware, before any view: not a view exception.
    client = Client(raise_request_exception=False)
    client.force_login(citizen_an)
    with database_down(monkeypatch):
        response = client.get("/ho-so/")
    _assert_retry_later(response)


def test_the_short_api_stack_answers_503_too(monkeypatch) -> None:
    from motcua.config.wsgi import application

    environ: dict[str, Any] = {"PATH_INFO": "/api/v1/catalogue/procedures", "HTTP_HOST": "127.0.0.1"}
    setup_testing_defaults(environ)
    environ["wsgi.input"] = io.BytesIO(b"")
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        captured.update(status=status, headers=dict(headers))

    with database_down(monkeypatch):
        body = b"".join(application(environ, start_response))
    assert captured["status"].startswith("503")
    assert captured["headers"]["Retry-After"] == "10"
    assert json.loads(body)["extra"]["outage"] == "database"


def test_other_errors_are_left_to_the_usual_handling(monkeypatch) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("motcua.catalog.api.procedure_version_search", broken)
    response = Client(raise_request_exception=False).get("/api/v1/catalogue/procedures")
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_a_body_over_the_cap_is_refused_with_413_before_it_is_read(settings) -> None:
    settings.MOTCUA_MAX_REQUEST_BYTES = 1024
    client = Client()
    response = client.post("/api/v1/dossiers", {"data": "x" * 2000})
    assert response.status_code == 413
    assert response.json()["extra"]["limit"] == 1024
    # A client that announces a huge body is stopped on the announcement alone.
    response = client.post("/dang-nhap/", {"a": "b"}, CONTENT_LENGTH=str(60 * 1024 * 1024))
    assert response.status_code == 413
    page = response.content.decode()
    assert "Yêu cầu vượt quá" in page
    assert "The request is larger than" in page


def test_a_body_under_the_cap_goes_through(settings) -> None:
    settings.MOTCUA_MAX_REQUEST_BYTES = 1024
    response = Client().post("/api/v1/dossiers", {"data": "x" * 100})
    assert response.status_code == 401


def test_the_default_cap_is_25_mib() -> None:
    from django.conf import settings

    assert settings.MOTCUA_MAX_REQUEST_BYTES == 25 * 1024 * 1024
