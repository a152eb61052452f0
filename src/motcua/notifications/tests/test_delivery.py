"""Delivery survives a worker killed between "sent" and "recorded" without sending the message twice
(review reliability F3): the row is claimed before the provider is called, and the provider drops a
repeated idempotency key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine

from motcua.notifications.models import Notification, NotificationStatus
from motcua.notifications.providers import DemoSmsProvider, TransportError
from motcua.notifications.services import (
    SENDING_LEASE,
    notification_deliver,
    notification_queue,
    notifications_retry_pending,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)


class WorkerKilled(BaseException):
    """Stands for kill -9: nothing after it runs, not even ``except Exception``."""


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sms_log(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path
    settings.MOTCUA_SMS_PROVIDER = "motcua.notifications.providers.DemoSmsProvider"
    return tmp_path / "sms.log"


def _sent_lines(sms_log: Path) -> list[str]:
    return sms_log.read_text(encoding="utf-8").splitlines() if sms_log.exists() else []


def _sms() -> Notification:
    notification = notification_queue(channel="sms", recipient="0912 345 678", body="Ho so 001 da nhan")
    assert notification is not None
    return notification


def test_a_redelivery_after_a_crash_between_sent_and_recorded_sends_once(
    frozen: time_machine.Traveller, sms_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notification = _sms()
    real_send = DemoSmsProvider.send

    def send_then_die(self: DemoSmsProvider, **kwargs: Any) -> None:
        real_send(self, **kwargs)
        raise WorkerKilled

    monkeypatch.setattr(DemoSmsProvider, "send", send_then_die)
    with pytest.raises(WorkerKilled):
        notification_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENDING  # the claim was committed before sending
    assert len(_sent_lines(sms_log)) == 1

    monkeypatch.setattr(DemoSmsProvider, "send", real_send)
    # While the claim is fresh nobody else sends it; after the lease the retry job does, with the same key.
    assert notifications_retry_pending() == 0
    frozen.shift(SENDING_LEASE + dt.timedelta(seconds=1))
    assert notifications_retry_pending() == 1

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert notification.attempts == 2
    assert len(_sent_lines(sms_log)) == 1


def test_a_message_claimed_by_a_live_worker_is_not_sent_by_another(frozen: Any, sms_log: Path) -> None:
    notification = _sms()
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.SENDING, claimed_at=NOW, attempts=1
    )
    assert notification_deliver(notification_id=notification.pk) == "in progress"
    assert _sent_lines(sms_log) == []


def test_a_sent_message_is_not_sent_again(frozen: Any, sms_log: Path) -> None:
    notification = _sms()
    assert notification_deliver(notification_id=notification.pk) == "sent"
    assert notification_deliver(notification_id=notification.pk) == "already sent"
    assert len(_sent_lines(sms_log)) == 1


def test_a_transient_failure_puts_the_message_back_for_the_retry_job(
    frozen: Any, sms_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notification = _sms()

    def gateway_down(self: DemoSmsProvider, **kwargs: Any) -> None:
        raise TransportError("gateway timeout")

    monkeypatch.setattr(DemoSmsProvider, "send", gateway_down)
    assert notification_deliver(notification_id=notification.pk) == "failed"
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.PENDING, 1)
    assert notification.last_error == "gateway timeout"


def test_a_message_interrupted_on_every_attempt_is_given_up(frozen: Any, sms_log: Path) -> None:
    notification = _sms()
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.SENDING, claimed_at=NOW - SENDING_LEASE * 2, attempts=5
    )
    assert notification_deliver(notification_id=notification.pk) == "failed"
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED
    assert _sent_lines(sms_log) == []


def test_the_demo_provider_drops_a_repeated_key(sms_log: Path) -> None:
    provider = DemoSmsProvider()
    provider.send(to="0912345678", text="one", idempotency_key="motcua-1-x")
    provider.send(to="0912345678", text="one", idempotency_key="motcua-1-x")
    provider.send(to="0912345678", text="two", idempotency_key="motcua-2-x")
    assert [line.split("\t")[-1] for line in _sent_lines(sms_log)] == ["one", "two"]


def test_the_key_differs_between_messages_and_between_databases(frozen: time_machine.Traveller) -> None:
    first = Notification(pk=1, created_at=NOW)
    same_id_after_a_reset = Notification(pk=1, created_at=NOW + dt.timedelta(days=1))
    assert first.delivery_key != same_id_after_a_reset.delivery_key
    assert first.delivery_key != Notification(pk=2, created_at=NOW).delivery_key
    assert first.delivery_key == Notification(pk=1, created_at=NOW).delivery_key
