"""The API-token cache saves a query per request but must never keep a revoked token or inactive user."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.core import clock
from motcua.core.auth import api_token_create, api_token_forget
from motcua.core.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def token_cache(settings):
    settings.MOTCUA_API_TOKEN_CACHE_SECONDS = 60
    api_token_forget()
    yield
    api_token_forget()


def _status(key: str) -> int:
    return Client().get("/api/v1/dossiers", HTTP_AUTHORIZATION=f"Bearer {key}").status_code


def test_a_cached_token_costs_no_query(token_cache, citizen_an, django_assert_max_num_queries) -> None:
    _, key = api_token_create(user=citizen_an, name="t")
    assert _status(key) == 200
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert _status(key) == 200
    assert not any("core_apitoken" in q["sql"] for q in queries.captured_queries)


def test_revoking_a_token_takes_effect_at_once_despite_the_cache(token_cache, citizen_an) -> None:
    token, key = api_token_create(user=citizen_an, name="t")
    assert _status(key) == 200
    token.revoked_at = clock.now()
    token.save()
    assert _status(key) == 401


def test_deactivating_the_user_takes_effect_at_once_despite_the_cache(token_cache, citizen_an) -> None:
    _, key = api_token_create(user=citizen_an, name="t")
    assert _status(key) == 200
    citizen_an.is_active = False
    citizen_an.save()
    assert _status(key) == 401
    assert ApiToken.objects.filter(user=citizen_an).exists()
