"""``motcua dossiers import --format dvcqg FILE.jsonl``: dossiers in the national portal's shape
(``DongBoHoSoMC``, one a line) — an old system's history, or the national portal's records. All or nothing
per file; idempotent by ``MaHoSo``; each bad line reported with its number (exit status 1)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Dossiers: import the national portal's records (JSON lines)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import dossiers from a JSON-lines file")
        imp.add_argument("--format", choices=["dvcqg"], default="dvcqg")
        imp.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.core.errors import ValidationFailedError
        from motcua.ioc.importer import dossiers_import

        started = time.perf_counter()
        try:
            with open(options["file"], encoding="utf-8") as lines:
                report = dossiers_import(lines, source=options["format"])
        except OSError as error:
            raise CommandError(str(error)) from error
        except ValidationFailedError as error:
            for line in (error.extra or {}).get("errors", []):
                self.stderr.write(str(line))
            raise CommandError(str(error.message)) from error
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"created {report.created}, updated {report.updated}, unchanged {report.unchanged} "
            f"({report.total / seconds if seconds else 0:.0f} dossiers/s)"
        )
