"""``motcua scheduler``: the periodic loop (django-tasks-db has no scheduler). Every interval it enqueues
the deadline scan and the notification retry and makes tasks of killed workers runnable again; every 6
hours the CRL refresh and once a day the archive time-stamp job (PAdES B-LTA) and the sweep of orphan
uploads. The worker (``motcua worker``) runs them. It lives in ``portal``, the top of the house, because it
names the jobs of the apps below (``core`` knows no app).

The slower jobs also run when the scheduler starts: all are idempotent (the CRL refresh stores only new
CRLs, the archive job only stamps documents that are due, the sweep only deletes unreferenced files older
than a day), so a restart costs one extra run at most.

A database outage does not stop the loop (review reliability F1): the connection is checked before each
tick, and a database error is logged and retried after a short back-off."""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import InterfaceError, OperationalError, close_old_connections
from django.utils.module_loading import import_string

from motcua.portal.management.commands.worker import backoff_seconds, database_connections_drop

logger = logging.getLogger("motcua.scheduler")

HOUR = 3600
# (task, minimum seconds between two enqueues; 0 = every loop)
PERIODIC: list[tuple[str, int]] = [
    ("motcua.dossiers.tasks.deadlines_scan_task", 0),
    ("motcua.dossiers.tasks.notifications_retry_task", 0),
    ("motcua.national.tasks.post_outbox_drain_task", 0),
    ("motcua.dvcqg.tasks.dvcqg_outbox_drain_task", 0),
    ("motcua.digitization.tasks.jobs_reap_task", 0),
    ("motcua.digitization.tasks.search_index_refresh_task", 0),
    ("motcua.payments.tasks.payments_maintain_task", 0),
    ("motcua.ioc.tasks.ioc_facts_drain_task", 0),
    ("motcua.signatures.tasks.revocation_lists_refresh_task", 6 * HOUR),
    ("motcua.signatures.tasks.documents_archive_task", 24 * HOUR),
    ("motcua.dossiers.tasks.uploads_sweep_task", 24 * HOUR),
    ("motcua.dossiers.tasks.access_log_purge_task", 24 * HOUR),
]
# A task re-run this many times after a lost worker is given up (it may be what kills the worker).
MAX_TASK_CLAIMS = 5


def jobs_due(last_enqueued: dict[str, float], now: float) -> list[str]:
    """The tasks to enqueue at ``now`` (monotonic seconds), given when each was last enqueued."""
    return [
        path for path, period in PERIODIC if path not in last_enqueued or now - last_enqueued[path] >= period
    ]


def tasks_reap(*, lease: dt.timedelta) -> int:
    """Make tasks RUNNING for longer than ``lease`` READY again (review reliability F2).

    django-tasks-db marks a task RUNNING when a worker claims it and has no lease or heartbeat: a worker
    killed meanwhile left it RUNNING for ever. The lease must exceed the longest task; a task that was
    still running after all is run twice (our tasks are idempotent: delivery is keyed at the provider).
    One claimed ``MAX_TASK_CLAIMS`` times is marked FAILED instead. Returns the number made READY."""
    from django.db import transaction
    from django.tasks import TaskResultStatus
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - lease
    reset = 0
    with transaction.atomic():
        stale = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING, started_at__lt=cutoff
        )
        for task in stale:
            if len(task.worker_ids) >= MAX_TASK_CLAIMS:
                task.status = TaskResultStatus.FAILED
                task.finished_at = timezone.now()
                task.exception_class_path = "motcua.core.TaskLost"
                task.traceback = f"its worker was lost {len(task.worker_ids)} times"
                task.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                logger.error("task %s (%s) given up after lost workers", task.pk, task.task_path)
                continue
            task.status = TaskResultStatus.READY
            task.save(update_fields=["status"])
            reset += 1
            logger.warning("task %s (%s) left RUNNING by a lost worker: READY again", task.pk, task.task_path)
    return reset


def scheduler_tick(last_enqueued: dict[str, float], *, lease: dt.timedelta) -> None:
    tasks_reap(lease=lease)
    now = time.monotonic()
    for path in jobs_due(last_enqueued, now):
        import_string(path).enqueue()
        last_enqueued[path] = now


class Command(BaseCommand):
    help = "Enqueue the periodic jobs (deadlines, notifications, CRLs, archive, sweep) every --interval s."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=300, help="seconds between runs (default 300)")
        parser.add_argument("--once", action="store_true", help="enqueue every job once and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        lease = dt.timedelta(seconds=settings.MOTCUA_TASK_LEASE_SECONDS)
        last_enqueued: dict[str, float] = {}
        failures = 0
        while True:
            # A connection broken by a database restart is dropped here rather than failing the tick. A
            # single run (--once, tests, cron) has no earlier tick whose connection could have gone stale,
            # and it may run inside a caller's transaction, which closing would end.
            if not options["once"]:
                close_old_connections()
            try:
                scheduler_tick(last_enqueued, lease=lease)
            except (OperationalError, InterfaceError) as exc:
                if options["once"]:
                    raise
                failures += 1
                delay = backoff_seconds(failures)
                logger.warning("database unavailable (%s); scheduler retries in %.0f s", exc, delay)
                database_connections_drop()
                time.sleep(delay)
                continue
            failures = 0
            if options["once"]:
                return
            time.sleep(options["interval"])
