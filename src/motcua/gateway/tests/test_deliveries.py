"""Asynchronous deliveries: accepted at once, retried with back-off while the provider is down, put on the
dead-letter list after the last attempt, and delivered once an operator replays them."""

from __future__ import annotations

import datetime as dt
import json

import time_machine

from motcua.core import clock
from motcua.gateway.models import Delivery, DeliveryState, MessageLog, Outcome, Service
from motcua.gateway.registry import registry_cache_clear
from motcua.gateway.services import dead_letter_replay, deliveries_run
from motcua.testing.gateway import EchoUpstream, GatewayForTests, closed_port_url


def _send_async(gw: GatewayForTests, message_id: str) -> tuple[int, dict[str, str], bytes]:
    return gw.call(
        "echo",
        "orders",
        token=gw.token(),
        method="POST",
        body=b'{"order": 1}',
        message_id=message_id,
        headers={"Prefer": "respond-async"},
    )


def test_async_message_is_accepted_then_delivered(gw: GatewayForTests, upstream: EchoUpstream) -> None:
    status, _, body = _send_async(gw, "a-1")
    assert status == 202
    assert json.loads(body)["status"] == "queued"
    assert upstream.hits == []
    assert deliveries_run() == {"delivered": 1, "retrying": 0, "dead": 0}
    assert upstream.hits == ["/orders"]
    log = MessageLog.objects.get(message_id="a-1")
    assert log.outcome == Outcome.OK
    assert log.signature
    # The same id again: the provider's logged answer, not a second delivery.
    status, headers, body = _send_async(gw, "a-1")
    assert status == 200
    assert headers["X-Gateway-Replay"] == "1"
    assert json.loads(body)["path"] == "/orders"
    assert upstream.hits == ["/orders"]


def test_provider_down_retries_with_backoff_then_dead_letter_then_replay(
    gw: GatewayForTests, upstream: EchoUpstream
) -> None:
    Service.objects.filter(code="echo").update(upstream_url=closed_port_url())
    registry_cache_clear()
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        assert _send_async(gw, "a-2")[0] == 202
        delivery = Delivery.objects.get(log__message_id="a-2")
        delays = []
        for _ in range(delivery.max_attempts):
            counts = deliveries_run()
            delivery.refresh_from_db()
            if delivery.state == DeliveryState.DEAD:
                assert counts["dead"] == 1
                break
            delays.append((delivery.next_attempt_at - clock.now()).total_seconds())
            assert deliveries_run() == {"delivered": 0, "retrying": 0, "dead": 0}  # not due yet
            traveller.shift(dt.timedelta(seconds=delays[-1]))
        assert delays == [2, 4, 8, 16, 32]
        assert delivery.state == DeliveryState.DEAD
        assert "refused" in delivery.last_error
        assert MessageLog.objects.get(message_id="a-2").outcome == Outcome.QUEUED
        # While dead-lettered, the client sees it queued.
        assert json.loads(_send_async(gw, "a-2")[2])["delivery"] == DeliveryState.DEAD

        Service.objects.filter(code="echo").update(upstream_url=upstream.url)
        registry_cache_clear()
        dead_letter_replay(delivery_id=delivery.pk, operator="giang")
        assert deliveries_run()["delivered"] == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    assert delivery.replayed_by == "giang"
    assert upstream.hits == ["/orders"]
    assert MessageLog.objects.get(message_id="a-2").outcome == Outcome.OK
