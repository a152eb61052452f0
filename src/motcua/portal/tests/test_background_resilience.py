"""The worker and the scheduler outlive a database restart, and a task left RUNNING by a killed worker runs
again after its lease (review reliability F1, F2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from motcua.notifications.models import Notification, NotificationStatus
from motcua.notifications.services import notification_queue
from motcua.portal.management.commands import scheduler as scheduler_module
from motcua.portal.management.commands import worker as worker_module
from motcua.portal.management.commands.scheduler import MAX_TASK_CLAIMS, tasks_reap
from motcua.portal.management.commands.worker import ResilientWorker, backoff_seconds

LEASE = dt.timedelta(minutes=30)


class Stop(BaseException):
    pass


@pytest.fixture
def database_tasks(settings: Any, tmp_path: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.VAR_DIR = tmp_path


def _left_running(started_ago: dt.timedelta, *, claims: int = 1) -> DBTaskResult:
    """A delivery task as a worker killed during it leaves it."""
    notification = notification_queue(channel="sms", recipient="0912345678", body="Ho so da nhan")
    assert notification is not None
    task = DBTaskResult.objects.get(args_kwargs__args=[notification.pk])
    DBTaskResult.objects.filter(pk=task.pk).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - started_ago,
        worker_ids=[f"killed-{n}" for n in range(claims)],
    )
    return task


@pytest.mark.django_db(transaction=True)
def test_a_task_left_running_by_a_killed_worker_runs_again_after_the_lease(database_tasks: None) -> None:
    lost = _left_running(LEASE + dt.timedelta(minutes=1))
    busy = _left_running(LEASE - dt.timedelta(minutes=1))  # a live worker may still be on it

    assert tasks_reap(lease=LEASE) == 1
    assert DBTaskResult.objects.get(pk=lost.pk).status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(pk=busy.pk).status == TaskResultStatus.RUNNING

    call_command("worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
    assert DBTaskResult.objects.get(pk=lost.pk).status == TaskResultStatus.SUCCESSFUL
    lost_notification = Notification.objects.get(
        pk=DBTaskResult.objects.get(pk=lost.pk).args_kwargs["args"][0]
    )
    assert lost_notification.status == NotificationStatus.SENT


@pytest.mark.django_db(transaction=True)
def test_a_task_whose_worker_was_lost_again_and_again_is_given_up(database_tasks: None) -> None:
    poison = _left_running(LEASE * 2, claims=MAX_TASK_CLAIMS)
    assert tasks_reap(lease=LEASE) == 0
    task = DBTaskResult.objects.get(pk=poison.pk)
    assert task.status == TaskResultStatus.FAILED
    assert "lost 5 times" in task.traceback


def test_the_back_off_is_short_and_bounded() -> None:
    assert [backoff_seconds(n) for n in range(1, 7)] == [1, 2, 4, 5, 5, 5]


def test_the_worker_waits_and_goes_on_when_the_database_goes_away(monkeypatch: pytest.MonkeyPatch) -> None:
    outcomes: list[Exception | None] = [
        OperationalError("terminating connection due to administrator command"),
        OperationalError("the database system is shutting down"),
        None,
    ]
    runs: list[int] = []

    def run(self: Worker) -> None:
        runs.append(1)
        outcome = outcomes.pop(0)
        if outcome is not None:
            raise outcome

    sleeps: list[float] = []
    monkeypatch.setattr(Worker, "run", run)
    monkeypatch.setattr(worker_module.time, "sleep", sleeps.append)
    worker = ResilientWorker(
        queue_names=["*"],
        interval=1,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="w",
        excluded_queue_names=[],
    )
    worker.run()
    assert len(runs) == 3
    assert sleeps == [1.0, 2.0]


@pytest.mark.django_db
def test_the_scheduler_logs_a_database_error_and_ticks_again(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    ticks: list[int] = []

    def tick(last_enqueued: dict[str, float], *, lease: dt.timedelta) -> None:
        ticks.append(1)
        if len(ticks) == 1:
            raise OperationalError("server closed the connection unexpectedly")

    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise Stop

    monkeypatch.setattr(scheduler_module, "scheduler_tick", tick)
    monkeypatch.setattr(scheduler_module.time, "sleep", sleep)
    with pytest.raises(Stop):
        call_command("scheduler", "--interval", "300")
    assert len(ticks) == 2
    assert sleeps == [1.0, 300]
    assert "database unavailable" in caplog.text


@pytest.mark.django_db
def test_one_scheduler_tick_reaps_and_enqueues_every_job(monkeypatch: pytest.MonkeyPatch) -> None:
    enqueued: list[str] = []
    reaped: list[dt.timedelta] = []
    monkeypatch.setattr(scheduler_module, "tasks_reap", lambda *, lease: reaped.append(lease) or 0)
    monkeypatch.setattr(
        scheduler_module,
        "import_string",
        lambda path: type("T", (), {"enqueue": lambda: enqueued.append(path)}),
    )
    call_command("scheduler", "--once")
    assert reaped == [LEASE]
    assert "motcua.dossiers.tasks.uploads_sweep_task" in enqueued
    assert len(enqueued) == len(scheduler_module.PERIODIC)
