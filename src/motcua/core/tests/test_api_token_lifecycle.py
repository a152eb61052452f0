"""API tokens can be named, scoped, given an end, listed and revoked by their owner and an administrator;
staff tokens need the owner's second factor and never sign (review F5)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.core import clock
from motcua.core.auth import api_token_create
from motcua.core.models import ApiToken

pytestmark = pytest.mark.django_db


def _get(key: str, path: str = "/api/v1/dossiers") -> Any:
    return Client().get(path, HTTP_AUTHORIZATION=f"Bearer {key}")


def _logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _create_on_the_page(client: Client, **fields: Any) -> Any:
    data = {"name": "kế toán", "scopes": ["dossiers:read"], "days": "30", **fields}
    return client.post("/accounts/api-tokens/", data)


def _key_on(page: Any) -> str:
    found = re.search(r'<code id="new-key">([^<]+)</code>', page.content.decode())
    assert found, "the new key is shown"
    return found.group(1)


def test_the_owner_creates_a_token_sees_the_key_once_and_lists_it(citizen_an) -> None:
    client = _logged_in(citizen_an)
    key = _key_on(_create_on_the_page(client))
    assert _get(key).status_code == 200
    listing = client.get("/accounts/api-tokens/").content.decode()
    assert "kế toán" in listing
    assert key[:8] in listing
    assert key not in listing  # never shown again
    token = ApiToken.objects.get(user=citizen_an)
    assert token.key_hash != key
    assert key not in json.dumps(list(ApiToken.objects.values_list("key_hash", "key_prefix")))
    assert token.scopes == ["dossiers:read"]
    assert token.last_used_at is not None
    assert token.expires_at is not None
    assert abs((token.expires_at - clock.now()) - dt.timedelta(days=30)) < dt.timedelta(minutes=1)


def test_the_owner_revokes_a_token_and_it_stops_at_once(citizen_an, settings) -> None:
    settings.MOTCUA_API_TOKEN_CACHE_SECONDS = 60  # revocation must not wait for the cache
    client = _logged_in(citizen_an)
    key = _key_on(_create_on_the_page(client))
    assert _get(key).status_code == 200
    token = ApiToken.objects.get(user=citizen_an)
    client.post(f"/accounts/api-tokens/{token.pk}/revoke/")
    assert _get(key).status_code == 401
    token.refresh_from_db()
    assert (token.revoked_at is not None, token.revoked_by) == (True, citizen_an)


def test_nobody_else_revokes_a_token_from_the_owner_page(citizen_an, citizen_other) -> None:
    _token, key = api_token_create(user=citizen_an, name="t")
    response = _logged_in(citizen_other).post(f"/accounts/api-tokens/{_token.pk}/revoke/")
    assert response.status_code == 404
    assert _get(key).status_code == 200


def test_an_administrator_lists_and_revokes_tokens_in_the_admin(clerk_binh, admin_giang, settings) -> None:
    settings.MOTCUA_API_TOKEN_CACHE_SECONDS = 60
    TOTPDevice.objects.create(user=clerk_binh, name="app", confirmed=True)
    token, key = api_token_create(user=clerk_binh, name="máy quét")
    assert _get(key).status_code == 200
    admin = _logged_in(admin_giang)
    listing = admin.get("/admin/core/apitoken/").content.decode()
    assert "máy quét" in listing
    assert token.key_hash not in listing
    admin.post("/admin/core/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert _get(key).status_code == 401
    token.refresh_from_db()
    assert token.revoked_by == admin_giang
    assert admin.get("/admin/core/apitoken/add/").status_code == 403


def test_the_admin_does_not_show_tokens_outside_the_administrators_scope(citizen_an, admin_giang) -> None:
    api_token_create(user=citizen_an, name="của An")
    assert "của An" not in _logged_in(admin_giang).get("/admin/core/apitoken/").content.decode()


def test_an_expired_token_answers_401(citizen_an) -> None:
    _token, key = api_token_create(user=citizen_an, name="t", expires_at=clock.now() + dt.timedelta(days=1))
    assert _get(key).status_code == 200
    with time_machine.travel(clock.now() + dt.timedelta(days=1, seconds=1), tick=False):
        assert _get(key).status_code == 401


def test_a_token_without_an_end_or_longer_than_allowed_is_refused(citizen_an, settings) -> None:
    from motcua.core.auth import api_token_issue
    from motcua.core.errors import ApplicationError

    settings.MOTCUA_API_TOKEN_MAX_DAYS = 90
    with pytest.raises(ApplicationError, match="tối đa 90 ngày"):
        api_token_issue(owner=citizen_an, name="t", scopes=["dossiers:read"], expires_at=None, by=citizen_an)
    response = _create_on_the_page(_logged_in(citizen_an), days="365")
    assert "tối đa 90 ngày" in response.content.decode()


def test_a_read_only_token_cannot_submit(citizen_an) -> None:
    _token, key = api_token_create(user=citizen_an, name="t", scopes=["dossiers:read"])
    response = Client().post("/api/v1/dossiers", {"data": "{}"}, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 403
    assert response.json()["extra"]["scope"] == "dossiers:write"


def test_a_citizen_cannot_give_a_token_the_staff_scope(citizen_an) -> None:
    response = _create_on_the_page(_logged_in(citizen_an), scopes=["staff:act"])
    assert "new-key" not in response.content.decode()
    assert not ApiToken.objects.exists()


def test_staff_without_two_factor_cannot_create_a_token(clerk_binh) -> None:
    client = _logged_in(clerk_binh)
    refused = _create_on_the_page(client, scopes=["dossiers:read", "staff:act"])
    assert "bật xác thực hai lớp" in refused.content.decode()
    assert not ApiToken.objects.exists()
    TOTPDevice.objects.create(user=clerk_binh, name="app", confirmed=True)
    key = _key_on(_create_on_the_page(client, scopes=["dossiers:read", "staff:act"]))
    assert _get(key).status_code == 200


def test_a_staff_token_stops_when_its_owner_loses_two_factor(clerk_binh) -> None:
    TOTPDevice.objects.create(user=clerk_binh, name="app", confirmed=True)
    _token, key = api_token_create(user=clerk_binh, name="t")
    assert _get(key).status_code == 200
    TOTPDevice.objects.filter(user=clerk_binh).delete()
    response = _get(key)
    assert response.status_code == 403
    assert "hai lớp" in response.json()["message"]


def test_the_demo_clerk_token_needs_two_factor_only_when_required(clerk_binh, citizen_an, settings) -> None:
    from motcua.accounts.demo import demo_api_tokens

    keys = dict(demo_api_tokens())
    assert _get(keys["binh"]).status_code == 200  # demo, 2FA not required
    assert _get(keys["an"]).status_code == 200
    settings.MOTCUA_REQUIRE_STAFF_2FA = True
    assert _get(keys["binh"]).status_code == 403
    assert _get(keys["an"]).status_code == 200  # citizens are never asked
    settings.MOTCUA_REQUIRE_STAFF_2FA = False
    settings.PRODUCTION = True
    assert _get(keys["binh"]).status_code == 403
