"""schemathesis against the API's own OpenAPI, in-process through WSGI: no generated request may get a
server error (issue 11, "Done when"; the review's run found 88 × 500). Bounded and derandomised so that
it runs in every `make test` (SQLite and PostgreSQL) in about a minute; each case is sent with the
demo citizen's token and with the demo clerk's token."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from motcua.core.auth import api_token_create
from motcua.dossiers.tests.test_double_actions import _submitted


def _schema() -> Any:
    # Loaded at collection (pytest-django has set Django up by then); serving openapi.json needs no
    # database. (schemathesis' from_fixture does not work with pytest 9.)
    from motcua.config.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


schema = _schema()


@pytest.fixture
def bearer(citizen_an, clerk_binh, bulletin_version, frozen, settings, tmp_path) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    _submitted(bulletin_version, citizen_an)  # something to find, receive, withdraw…
    headers = []
    for user in (citizen_an, clerk_binh):
        _token, key = api_token_create(user=user, name="fuzz")
        headers.append({"Authorization": f"Bearer {key}"})
    return headers


@pytest.mark.django_db(transaction=True)  # each request in autocommit, as in production
@schema.parametrize()
@settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_gets_a_server_error(case: Any, bearer: list[dict[str, str]]) -> None:
    for headers in bearer:
        case.call_and_validate(headers=headers, checks=[not_a_server_error])
