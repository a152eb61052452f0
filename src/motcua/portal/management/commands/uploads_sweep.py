"""``motcua uploads_sweep``: delete uploaded component files that no dossier refers to (the scheduler runs
this once a day; see ``dossiers.uploads.upload_orphans_sweep``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Delete uploaded files that no dossier refers to and that are older than --hours (default 24)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=float, default=24, help="minimum age of a file to delete")

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.dossiers.uploads import upload_orphans_sweep

        deleted = upload_orphans_sweep(older_than=dt.timedelta(hours=options["hours"]))
        self.stdout.write(f"{len(deleted)} orphan files deleted.")
