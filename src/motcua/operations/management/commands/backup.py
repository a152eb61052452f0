"""``motcua backup create|restore|verify`` (docs/backup.md)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Back up the database, files, PKI and non-secret settings; restore; verify."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="write a new backup folder")
        create.add_argument(
            "--output", type=Path, default=None, help="parent folder (default $MOTCUA_VAR_DIR/backups)"
        )
        create.add_argument(
            "--textfile",
            type=Path,
            default=None,
            help="write motcua_backup_last_success_timestamp here (node_exporter textfile collector)",
        )
        restore = sub.add_parser("restore", help="restore a backup into an empty database and folders")
        restore.add_argument("source", type=Path)
        verify = sub.add_parser("verify", help="check the installation (against a backup when given)")
        verify.add_argument("source", type=Path, nargs="?", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.operations.backup import BackupError, backup_create, backup_restore, backup_verify

        try:
            if options["action"] == "create":
                output = options["output"] or Path(settings.VAR_DIR) / "backups"
                target = backup_create(destination=output)
                if options["textfile"]:
                    _textfile_write(options["textfile"])
                self.stdout.write(self.style.SUCCESS(f"Backup written: {target}"))
            elif options["action"] == "restore":
                result = backup_restore(source=options["source"])
                self.stdout.write(
                    self.style.SUCCESS(f"Restored {result['tables']} tables and {result['files']} files.")
                )
            else:
                report = backup_verify(source=options["source"])
                self.stdout.write(
                    f"{report.tables} tables, {report.rows} rows; {report.files_checked} files checked "
                    f"against the backup; {report.referenced_files} files named by rows; "
                    f"{report.documents_verified} issued documents, {report.signatures_verified} with "
                    "valid signatures."
                )
                for problem in report.problems:
                    self.stderr.write(problem)
                if not report.ok:
                    raise CommandError(f"{len(report.problems)} problem(s) found")
                self.stdout.write(self.style.SUCCESS("Verified: no problem found."))
        except BackupError as exc:
            raise CommandError(exc.message) from exc


def _textfile_write(path: Path) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(
        "# HELP motcua_backup_last_success_timestamp Time of the last successful backup.\n"
        "# TYPE motcua_backup_last_success_timestamp gauge\n"
        f"motcua_backup_last_success_timestamp {time.time():.0f}\n"
    )
    temporary.replace(path)
