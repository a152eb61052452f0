"""The gateway's HTTP contract (CONTRACTS.md): tokens, forwarding, idempotent message ids, deny by
default, purpose for personal data, rate limits, upstream faults — each against a real server thread."""

from __future__ import annotations

import json

from motcua.gateway.models import MessageLog, Outcome
from motcua.gateway.services import client_secret_rotate
from motcua.testing.gateway import EchoUpstream, GatewayForTests, closed_port_url, http_call


def _form(**data: str) -> bytes:
    import urllib.parse

    return urllib.parse.urlencode(data).encode()


def test_token_then_forward_with_gateway_headers(gw: GatewayForTests, upstream: EchoUpstream) -> None:
    token = gw.token()
    status, headers, body = gw.call(
        "echo",
        "things/1",
        token=token,
        method="POST",
        body=b'{"a": 1}',
        message_id="m-1",
        headers={"X-Purpose": "HS:000.00.09.H99-260101-0001"},
    )
    assert status == 200
    echoed = json.loads(body)
    assert echoed["method"] == "POST"
    assert echoed["path"] == "/things/1"
    assert echoed["body"] == '{"a": 1}'
    assert echoed["headers"]["X-Gateway-Client"] == "motcua"
    assert echoed["headers"]["X-Message-Id"] == "m-1"
    assert echoed["headers"]["X-Purpose"] == "HS:000.00.09.H99-260101-0001"
    assert headers["X-Message-Id"] == "m-1"
    log = MessageLog.objects.get(message_id="m-1")
    assert log.outcome == Outcome.OK
    assert log.status_code == 200
    assert log.signature
    assert log.content_hash


def test_query_string_is_forwarded(gw: GatewayForTests) -> None:
    status, _, body = gw.call("echo", "search?q=an&page=2", token=gw.token())
    assert status == 200
    assert json.loads(body)["query"] == "q=an&page=2"


def test_repeated_message_id_is_answered_from_the_log(gw: GatewayForTests, upstream: EchoUpstream) -> None:
    token = gw.token()
    first = gw.call("echo", "pay", token=token, method="POST", body=b"{}", message_id="once")
    again = gw.call("echo", "pay", token=token, method="POST", body=b"{}", message_id="once")
    assert upstream.hits == ["/pay"]
    assert again[0] == first[0] == 200
    assert again[2] == first[2]
    assert again[1]["X-Gateway-Replay"] == "1"
    assert MessageLog.objects.filter(message_id="once").count() == 1


def test_token_errors_follow_rfc_6749(gw: GatewayForTests) -> None:
    url = gw.url + "/oauth/token"
    ct = {"Content-Type": "application/x-www-form-urlencoded"}
    bad = http_call(
        url,
        method="POST",
        headers=ct,
        body=_form(grant_type="client_credentials", client_id="motcua", client_secret="wrong"),
    )
    assert bad[0] == 401
    assert json.loads(bad[2])["error"] == "invalid_client"
    grant = http_call(url, method="POST", headers=ct, body=_form(grant_type="password", client_id="motcua"))
    assert grant[0] == 400
    assert json.loads(grant[2])["error"] == "unsupported_grant_type"
    scope = http_call(
        url,
        method="POST",
        headers=ct,
        body=_form(
            grant_type="client_credentials",
            client_id="motcua",
            client_secret=gw.client_secret,
            scope="echo nope",
        ),
    )
    assert scope[0] == 400
    assert json.loads(scope[2])["error"] == "invalid_scope"
    import base64

    basic = base64.b64encode(f"motcua:{gw.client_secret}".encode()).decode()
    ok = http_call(
        url,
        method="POST",
        headers={**ct, "Authorization": f"Basic {basic}"},
        body=_form(grant_type="client_credentials", scope="echo"),
    )
    answer = json.loads(ok[2])
    assert ok[0] == 200
    assert answer["token_type"] == "Bearer"
    assert answer["scope"] == "echo"


def test_bad_token_is_401_and_logged_without_taking_the_message_id(gw: GatewayForTests) -> None:
    status, headers, body = gw.call("echo", "x", token="forged", message_id="m-401")
    assert status == 401
    assert json.loads(body)["error"] == "invalid_token"
    assert "Bearer" in headers["WWW-Authenticate"]
    assert MessageLog.objects.get(message_id="m-401").replayable is False
    # The same id with a good token is executed.
    assert gw.call("echo", "x", token=gw.token(), message_id="m-401")[0] == 200


def test_no_grant_is_403_and_logged(gw: GatewayForTests, upstream: EchoUpstream) -> None:
    gw.client("outsider", services=())
    token = gw.token(client_id="outsider", client_secret="test-secret")
    status, _, body = gw.call("echo", "x", token=token, message_id="m-403")
    answer = json.loads(body)
    assert status == 403
    assert answer["error"] == "access_denied"
    assert answer["message"]
    assert answer["message_en"]
    assert upstream.hits == []
    log = MessageLog.objects.get(message_id="m-403")
    assert log.outcome == Outcome.DENIED
    assert log.client_code == "outsider"
    assert log.signature


def test_scope_narrows_a_token(gw: GatewayForTests) -> None:
    token = gw.token(scope="people")
    assert gw.call("echo", "x", token=token)[0] == 403


def test_unknown_service_404(gw: GatewayForTests) -> None:
    status, _, body = gw.call("nothing", "x", token=gw.token())
    assert status == 404
    assert json.loads(body)["error"] == "unknown_service"


def test_personal_data_service_needs_a_purpose(gw: GatewayForTests, upstream: EchoUpstream) -> None:
    token = gw.token()
    status, _, body = gw.call("people", "congdan", token=token)
    assert status == 400
    assert json.loads(body)["error"] == "purpose_required"
    assert gw.call("people", "congdan", token=token, purpose="HS:123")[0] == 200
    assert upstream.hits == ["/congdan"]


def test_missing_message_id_is_400(gw: GatewayForTests) -> None:
    status, _, body = http_call(gw.url + "/r/echo/x", headers={"Authorization": f"Bearer {gw.token()}"})
    assert status == 400
    assert json.loads(body)["error"] == "invalid_request"


def test_rate_limit_429_with_retry_after(gw: GatewayForTests) -> None:
    gw.client("busy", services=("echo",), rate_limit_per_second=1, rate_limit_burst=2)
    token = gw.token(client_id="busy", client_secret="test-secret")
    statuses = [gw.call("echo", "x", token=token)[0] for _ in range(3)]
    assert statuses[:2] == [200, 200]
    status, headers, body = gw.call("echo", "x", token=token, message_id="m-429")
    assert status == 429
    assert int(headers["Retry-After"]) >= 1
    assert json.loads(body)["error"] == "rate_limited"
    assert MessageLog.objects.get(message_id="m-429").outcome == Outcome.RATE_LIMITED


def test_upstream_error_status_passes_through(gw: GatewayForTests) -> None:
    status, _, _ = gw.call("echo", "fail", token=gw.token(), message_id="m-500")
    assert status == 500
    assert MessageLog.objects.get(message_id="m-500").outcome == Outcome.UPSTREAM_ERROR


def test_upstream_timeout_is_504_and_logged(gw: GatewayForTests) -> None:
    status, _, body = gw.call("echo", "hang", token=gw.token(), message_id="m-504")
    assert status == 504
    assert json.loads(body)["error"] == "upstream_timeout"
    assert MessageLog.objects.get(message_id="m-504").outcome == Outcome.TIMEOUT


def test_connection_refused_is_502_and_logged(gw: GatewayForTests) -> None:
    from motcua.gateway.models import Service
    from motcua.gateway.registry import registry_cache_clear

    Service.objects.filter(code="echo").update(upstream_url=closed_port_url())
    registry_cache_clear()
    status, _, body = gw.call("echo", "x", token=gw.token(), message_id="m-502")
    assert status == 502
    assert json.loads(body)["error"] == "upstream_error"
    log = MessageLog.objects.get(message_id="m-502")
    assert log.outcome == Outcome.UPSTREAM_ERROR
    assert "refused" in log.error


def test_rotated_secret_old_one_works_only_within_grace(gw: GatewayForTests) -> None:
    import datetime as dt

    from motcua.gateway.models import Client

    client = Client.objects.get(client_id="motcua")
    new = client_secret_rotate(client=client, grace=dt.timedelta(0))
    assert gw.token(client_secret=new)
    status, _, _ = http_call(
        gw.url + "/oauth/token",
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=_form(grant_type="client_credentials", client_id="motcua", client_secret=gw.client_secret),
    )
    assert status == 401
    newer = client_secret_rotate(client=client, grace=dt.timedelta(hours=1))
    assert gw.token(client_secret=new)
    assert gw.token(client_secret=newer)


def test_secrets_and_tokens_are_stored_hashed(gw: GatewayForTests) -> None:
    from motcua.gateway.models import AccessToken, Client

    token = gw.token()
    assert not AccessToken.objects.filter(token_hash=token).exists()
    assert Client.objects.get(client_id="motcua").secret_hash != gw.client_secret


def test_gateway_urlconf_holds_only_the_gateway(gw: GatewayForTests) -> None:
    status, _, body = http_call(gw.url + "/admin/")
    assert status == 404
    assert json.loads(body)["error"] == "not_found"
    assert http_call(gw.url + "/healthz")[0] == 200
