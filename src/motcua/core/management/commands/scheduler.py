"""``motcua scheduler``: the periodic loop (django-tasks-db has no scheduler). Every interval it enqueues
the deadline scan and the notification retry; the worker (``motcua db_worker``) runs them."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Enqueue periodic jobs (deadline scan, notification retries) every --interval seconds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=int, default=300, help="seconds between runs (default 300)")
        parser.add_argument("--once", action="store_true", help="enqueue once and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.dossiers.tasks import deadlines_scan_task, notifications_retry_task

        while True:
            deadlines_scan_task.enqueue()
            notifications_retry_task.enqueue()
            if options["once"]:
                return
            time.sleep(options["interval"])
