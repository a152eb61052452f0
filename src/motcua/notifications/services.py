"""Notify applicants of events they should know about — only after the transaction commits."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Model, Q

from motcua.core import clock
from motcua.core.requestid import task_context_current
from motcua.core.statements import Sql
from motcua.notifications.models import Notification, NotificationChannel, NotificationStatus
from motcua.notifications.providers import TransportError, sms_provider

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def notification_build(
    *, channel: str, recipient: str, body: str, subject: str = "", dossier_code: str = "", event: str = ""
) -> Notification | None:
    """The message, not yet saved; None when there is nobody to send it to."""
    if not recipient.strip():
        return None
    return Notification(
        channel=channel,
        recipient=recipient.strip(),
        subject=subject,
        body=body,
        dossier_code=dossier_code,
        event=event,
    )


def notification_queue(
    *, channel: str, recipient: str, body: str, subject: str = "", dossier_code: str = "", event: str = ""
) -> Notification | None:
    """Record the message now and deliver it once the surrounding transaction has committed."""
    notification = notification_build(
        channel=channel,
        recipient=recipient,
        body=body,
        subject=subject,
        dossier_code=dossier_code,
        event=event,
    )
    return None if notification is None else notification_enqueue(notification)


def notification_enqueue(notification: Notification) -> Notification:
    """Save a built message and arrange its delivery once the surrounding transaction has committed."""
    notification.save(force_insert=True)
    notification_id = notification.pk

    if _tasks_share_the_transaction():
        # The task row is written in this transaction (an outbox): the worker only sees it once the
        # dossier change commits, and it disappears with a rollback. Saves a round trip per message.
        from motcua.notifications.tasks import notification_deliver_task

        notification_deliver_task.enqueue(notification_id)
    else:
        transaction.on_commit(lambda: notification_deliver_after_commit(notification_id))
    return notification


def notification_deliver_after_commit(notification_id: int) -> None:
    from motcua.notifications.tasks import notification_deliver_task

    try:
        notification_deliver_task.enqueue(notification_id)
    except Exception:  # the periodic retry picks it up
        logger.exception("could not enqueue notification %s", notification_id)


def notification_delivery_task_row(*, notification_id: Sql) -> Model | None:
    """The django-tasks-db row that delivers a message inserted by the same statement (see
    ``core.statements``; ``notification_id`` is the SQL for its id): the outbox of a one-statement write.

    None when tasks are not rows of this database (another backend): the caller then enqueues the
    delivery after commit with ``notification_deliver_after_commit``. The row is the one
    ``DatabaseBackend.enqueue`` writes (``_task_to_db_task`` and its pre_save handler); a test runs it
    through the worker.
    """
    if not _tasks_live_in_this_database():
        return None
    from django.tasks import task_backends
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult, get_date_max

    from motcua.notifications.tasks import notification_deliver_task

    backend = task_backends["default"]
    assert isinstance(backend, DatabaseBackend)
    task = notification_deliver_task
    backend.validate_task(task)
    fields: dict[str, Any] = {
        "id": backend._get_id(),
        # "context": the request id that follows the dossier action into the task (core.requestid).
        "args_kwargs": Sql(
            f"jsonb_build_object('args', jsonb_build_array({notification_id.sql}), 'kwargs', '{{}}'::jsonb,"
            " 'context', %s::jsonb)",
            (*notification_id.params, json.dumps(task_context_current())),
        ),
        "priority": task.priority,
        "task_path": task.module_path,
        "queue_name": task.queue_name,
        # django-tasks-db fills a missing run_after in a pre_save handler; a one-statement write sends
        # no signals, so the same value is given here.
        "run_after": task.run_after or get_date_max(),
        "backend_name": backend.alias,
    }
    return DBTaskResult(**fields)


def _tasks_live_in_this_database() -> bool:
    from django.tasks import task_backends
    from django_tasks_db import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)


def _tasks_share_the_transaction() -> bool:
    """True when background tasks are rows of this very database (django-tasks-db writes through the
    default connection; we route nothing elsewhere) and we are inside a transaction. Other backends (the
    immediate one in tests) must wait for the commit."""
    from django.db import connection

    return _tasks_live_in_this_database() and connection.in_atomic_block


def notification_deliver(*, notification_id: int) -> str:
    """Hand one message to its provider, at most once as far as the provider can tell.

    1. Claim it: the row is locked, marked SENDING (with ``claimed_at``) and committed, so no other worker
       sends it meanwhile.
    2. Send it with its idempotency key (``Notification.delivery_key``).
    3. Record the outcome.

    A worker killed between 2 and 3 leaves the message SENDING. Once the claim is older than
    ``SENDING_LEASE`` the retry job delivers it again with the same key, and the SMS provider drops the
    repeat (the provider contract). SMTP has no such key: an e-mail may go out twice after such a crash
    (at least once, at most one repeat per crash); its Message-ID stays the same, so mail programs show one.
    """
    now = clock.now()
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification_id)
        if notification.status == NotificationStatus.SENT:
            return "already sent"
        if notification.status == NotificationStatus.SENDING and _claim_is_fresh(notification, now):
            return "in progress"
        if notification.attempts >= MAX_ATTEMPTS:
            # Claimed for the last time and never recorded (the worker died each time): stop here.
            notification.status = NotificationStatus.FAILED
            notification.last_error = notification.last_error or "delivery interrupted too often"
            notification.save(update_fields=["status", "last_error"])
            return "failed"
        notification.status = NotificationStatus.SENDING
        notification.attempts += 1
        notification.claimed_at = now
        notification.save(update_fields=["status", "attempts", "claimed_at"])
    try:
        if notification.channel == NotificationChannel.EMAIL:
            EmailMessage(
                subject=notification.subject,
                body=notification.body,
                to=[notification.recipient],
                headers={"Message-ID": f"<{notification.delivery_key}@motcua>"},
            ).send()
        else:
            sms_provider().send(
                to=notification.recipient, text=notification.body, idempotency_key=notification.delivery_key
            )
    except TransportError as exc:
        return _delivery_failed(notification, str(exc), permanent=exc.permanent)
    except Exception as exc:  # SMTP errors and the like: retry later
        return _delivery_failed(notification, str(exc), permanent=False)
    notification.status = NotificationStatus.SENT
    notification.sent_at = clock.now()
    notification.save(update_fields=["status", "sent_at"])
    return "sent"


# How long a claim protects a message from a second sender. Longer than any provider call (the SMTP and
# SMS clients time out sooner); after it, the message counts as interrupted and may be delivered again.
SENDING_LEASE = dt.timedelta(minutes=2)


def _claim_is_fresh(notification: Notification, now: dt.datetime) -> bool:
    return notification.claimed_at is not None and notification.claimed_at > now - SENDING_LEASE


def _delivery_failed(notification: Notification, error: str, *, permanent: bool) -> str:
    notification.last_error = error
    if permanent or notification.attempts >= MAX_ATTEMPTS:
        notification.status = NotificationStatus.FAILED
    else:
        notification.status = NotificationStatus.PENDING
    notification.save(update_fields=["last_error", "status"])
    return "failed"


def notifications_retry_pending(*, older_than: dt.timedelta = dt.timedelta(minutes=2)) -> int:
    """Called by the periodic scheduler: re-deliver messages still pending (a failed send or lost task)
    and messages whose sender was interrupted (claimed longer ago than ``SENDING_LEASE``)."""
    now = clock.now()
    pending = Q(status=NotificationStatus.PENDING, created_at__lt=now - older_than, attempts__lt=MAX_ATTEMPTS)
    interrupted = Q(status=NotificationStatus.SENDING, claimed_at__lt=now - SENDING_LEASE)
    count = 0
    for pk in Notification.objects.filter(pending | interrupted).values_list("pk", flat=True)[:500]:
        notification_deliver(notification_id=pk)
        count += 1
    return count
