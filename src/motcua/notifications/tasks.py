"""Background delivery of notifications, with retries (thin wrappers around services)."""

from __future__ import annotations

from django.tasks import task


@task(queue_name="default")
def notification_deliver_task(notification_id: int) -> str:
    from motcua.notifications.services import notification_deliver

    return notification_deliver(notification_id=notification_id)
