"""Notify applicants of events they should know about — only after the transaction commits."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.mail import EmailMessage
from django.db import transaction

from motcua.core import clock
from motcua.notifications.models import Notification, NotificationChannel, NotificationStatus
from motcua.notifications.providers import TransportError, sms_provider

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def notification_queue(
    *, channel: str, recipient: str, body: str, subject: str = "", dossier_code: str = "", event: str = ""
) -> Notification | None:
    """Record the message now and deliver it once the surrounding transaction has committed."""
    if not recipient.strip():
        return None
    notification = Notification.objects.create(
        channel=channel,
        recipient=recipient.strip(),
        subject=subject,
        body=body,
        dossier_code=dossier_code,
        event=event,
    )

    def _enqueue() -> None:
        from motcua.notifications.tasks import notification_deliver_task

        try:
            notification_deliver_task.enqueue(notification.pk)
        except Exception:  # the periodic retry picks it up
            logger.exception("could not enqueue notification %s", notification.pk)

    if _tasks_share_the_transaction():
        # The task row is written in this transaction (an outbox): the worker only sees it once the
        # dossier change commits, and it disappears with a rollback. Saves a round trip per message.
        from motcua.notifications.tasks import notification_deliver_task

        notification_deliver_task.enqueue(notification.pk)
    else:
        transaction.on_commit(_enqueue)
    return notification


def _tasks_share_the_transaction() -> bool:
    """True when background tasks are rows of this very database (django-tasks-db writes through the
    default connection; we route nothing elsewhere) and we are inside a transaction. Other backends (the
    immediate one in tests) must wait for the commit."""
    from django.db import connection
    from django.tasks import task_backends
    from django_tasks_db import DatabaseBackend

    backend = task_backends["default"]
    return isinstance(backend, DatabaseBackend) and connection.in_atomic_block


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
