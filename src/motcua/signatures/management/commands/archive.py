"""``motcua archive run``: add archive time-stamps (PAdES B-LTA) to the issued documents that are due now,
as the daily job does; for operators (after a TSA outage, or before migrating storage)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Add archive time-stamps (PAdES B-LTA) to issued documents that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run")
        run.add_argument("--limit", type=int, default=500, help="at most this many documents (default 500)")
        run.add_argument("--dry-run", action="store_true", help="only list the documents that are due")

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.signatures.archive import documents_archive_due, documents_due_for_archive

        if options["dry_run"]:
            due = list(documents_due_for_archive()[: options["limit"]])
            for document in due:
                until = document.timestamp_valid_until
                self.stdout.write(f"{document.pk}\t{document.kind}\t{document.number}\t{until or '-'}")
            self.stdout.write(f"{len(due)} document(s) due.")
            return
        result = documents_archive_due(limit=options["limit"])
        for error in result["errors"]:
            self.stderr.write(error)
        self.stdout.write(f"{result['archived']} document(s) archived, {result['failed']} failed.")
