"""``motcua scheduler``: the periodic loop (django-tasks-db has no scheduler). Every interval it enqueues
the deadline scan and the notification retry; every 6 hours the CRL refresh and once a day the archive
time-stamp job (PAdES B-LTA) and the access-log purge. The worker (``motcua db_worker``) runs them.

The slower jobs also run when the scheduler starts: both are idempotent (the CRL refresh stores only new
CRLs, the archive job only stamps documents that are due), so a restart costs one extra run at most."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import import_string

HOUR = 3600
# (task, minimum seconds between two enqueues; 0 = every loop)
PERIODIC: list[tuple[str, int]] = [
    ("motcua.dossiers.tasks.deadlines_scan_task", 0),
    ("motcua.dossiers.tasks.notifications_retry_task", 0),
    ("motcua.signatures.tasks.revocation_lists_refresh_task", 6 * HOUR),
    ("motcua.signatures.tasks.documents_archive_task", 24 * HOUR),
    ("motcua.dossiers.tasks.access_log_purge_task", 24 * HOUR),
]


def jobs_due(last_enqueued: dict[str, float], now: float) -> list[str]:
    """The tasks to enqueue at ``now`` (monotonic seconds), given when each was last enqueued."""
    return [
        path for path, period in PERIODIC if path not in last_enqueued or now - last_enqueued[path] >= period
    ]


class Command(BaseCommand):
    help = "Enqueue the periodic jobs (deadlines, notifications, CRL refresh, archive) every --interval s."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=int, default=300, help="seconds between runs (default 300)")
        parser.add_argument("--once", action="store_true", help="enqueue every job once and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        last_enqueued: dict[str, float] = {}
        while True:
            now = time.monotonic()
            for path in jobs_due(last_enqueued, now):
                import_string(path).enqueue()
                last_enqueued[path] = now
            if options["once"]:
                return
            time.sleep(options["interval"])
