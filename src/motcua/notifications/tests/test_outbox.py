"""With the database task backend, the delivery task is written in the same transaction as the message:
it exists exactly when the change that caused it committed."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from motcua.notifications.models import Notification
from motcua.notifications.services import notification_queue

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_tasks(settings):  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


class Boom(Exception):
    pass


def test_a_rolled_back_change_leaves_neither_message_nor_task(database_tasks) -> None:  # type: ignore[no-untyped-def]
    def change_that_fails() -> None:
        with transaction.atomic():
            notification_queue(channel="sms", recipient="0912345678", body="Hồ sơ đã được nộp")
            raise Boom

    with pytest.raises(Boom):
        change_that_fails()
    assert not Notification.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_a_committed_change_leaves_one_task_for_its_message(database_tasks) -> None:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        notification = notification_queue(channel="sms", recipient="0912345678", body="Hồ sơ đã được nộp")
        # Written already, inside the transaction (no separate round trip after commit).
        assert DBTaskResult.objects.count() == 1
    assert notification is not None
    task = DBTaskResult.objects.get()
    assert task.task_path == "motcua.notifications.tasks.notification_deliver_task"
    assert task.args_kwargs["args"] == [notification.pk]
