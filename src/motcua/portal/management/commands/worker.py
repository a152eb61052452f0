"""``motcua worker``: django-tasks-db's ``db_worker``, kept alive through database outages.

django-tasks-db 0.13 re-raises every ``OperationalError`` but "database is locked", so its worker died on
a PostgreSQL restart ("terminating connection due to administrator command") and stayed dead (review
reliability F1). This one closes the broken connection, waits (1, 2, 4 … at most 5 s) and goes on. A task
interrupted that way stays RUNNING until the scheduler's reaper makes it READY again after the lease
(``MOTCUA_TASK_LEASE_SECONDS``). Same options as ``db_worker``."""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from django.core.management.base import CommandError
from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from motcua.core.requestid import request_id_bound, task_request_id

logger = logging.getLogger("motcua.worker")

MAX_BACKOFF_SECONDS = 5.0
# A worker that ran this long since the last outage starts its back-off from the beginning again.
HEALTHY_AFTER_SECONDS = 60.0


def backoff_seconds(failures: int) -> float:
    """1, 2, 4, then every 5 s: back within seconds of a restart, no busy loop through a long outage."""
    return float(min(2 ** max(failures - 1, 0), MAX_BACKOFF_SECONDS))


def database_connections_drop() -> None:
    """Close every connection, even a broken one (closing it may raise too)."""
    for connection in connections.all(initialized_only=True):
        with contextlib.suppress(Exception):
            connection.close()


class ResilientWorker(Worker):
    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        # The log lines of the task carry the id of the request that enqueued it (core.requestid).
        with request_id_bound(task_request_id(db_task_result.args_kwargs)):
            logger.info("task %s %s started", db_task_result.task_path, db_task_result.id)
            super().run_task(db_task_result)
            logger.info(
                "task %s %s ended: %s", db_task_result.task_path, db_task_result.id, db_task_result.status
            )

    def run(self) -> None:
        failures = 0
        while self.running:
            started = time.monotonic()
            try:
                super().run()
                return
            except (OperationalError, InterfaceError) as exc:
                failures = 1 if time.monotonic() - started > HEALTHY_AFTER_SECONDS else failures + 1
                delay = backoff_seconds(failures)
                logger.warning("database unavailable (%s); worker retries in %.0f s", exc, delay)
                database_connections_drop()
                self.running_task = False
                time.sleep(delay)


class Command(DbWorkerCommand):
    help = "Run the background worker (django-tasks-db), surviving database restarts."

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        # No --reload here: the supervisor restarts the process instead.
        worker.configure_signals()
        worker.run()
