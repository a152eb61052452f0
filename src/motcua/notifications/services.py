"""Notify applicants of events they should know about — only after the transaction commits."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Model

from motcua.core import clock
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
        "args_kwargs": Sql(
            f"jsonb_build_object('args', jsonb_build_array({notification_id.sql}), 'kwargs', '{{}}'::jsonb)",
            notification_id.params,
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
    notification = Notification.objects.get(pk=notification_id)
    if notification.status == NotificationStatus.SENT:
        return "already sent"
    notification.attempts += 1
    try:
        if notification.channel == NotificationChannel.EMAIL:
            EmailMessage(
                subject=notification.subject, body=notification.body, to=[notification.recipient]
            ).send()
        else:
            sms_provider().send(to=notification.recipient, text=notification.body)
    except TransportError as exc:
        notification.last_error = str(exc)
        if exc.permanent or notification.attempts >= MAX_ATTEMPTS:
            notification.status = NotificationStatus.FAILED
        notification.save(update_fields=["attempts", "last_error", "status"])
        return "failed"
    except Exception as exc:  # SMTP errors and the like: retry later
        notification.last_error = str(exc)
        if notification.attempts >= MAX_ATTEMPTS:
            notification.status = NotificationStatus.FAILED
        notification.save(update_fields=["attempts", "last_error", "status"])
        return "failed"
    notification.status = NotificationStatus.SENT
    notification.sent_at = clock.now()
    notification.save(update_fields=["attempts", "status", "sent_at"])
    return "sent"


def notifications_retry_pending(*, older_than: dt.timedelta = dt.timedelta(minutes=2)) -> int:
    """Called by the periodic scheduler: re-deliver messages still pending (a failed send or lost task)."""
    cutoff = clock.now() - older_than
    count = 0
    for pk in Notification.objects.filter(
        status=NotificationStatus.PENDING, created_at__lt=cutoff, attempts__lt=MAX_ATTEMPTS
    ).values_list("pk", flat=True)[:500]:
        notification_deliver(notification_id=pk)
        count += 1
    return count
