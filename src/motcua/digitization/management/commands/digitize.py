"""``motcua digitize PATH... [--json] [--workers N]``: digitise files or folders of scans (PDF, JPEG, PNG,
TIFF) into PDF/A with a Vietnamese text layer, written beside each original as ``<name>.pdfa.pdf``.
With ``--json`` one JSON object per file on standard output: ``{"file", "pages", "text", "fields",
"output", "seconds"}`` (or ``{"file", "error", "error_en"}``); otherwise a progress bar. The exit status is
1 when any file failed."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.digitization.bulk import files_digitize, files_expand


def _bar(done: int, total: int, started: float, name: str) -> str:
    width = 30
    filled = round(width * done / total) if total else width
    elapsed = time.monotonic() - started
    return f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {elapsed:5.0f} s  {name[-40:]:<40}"


class Command(BaseCommand):
    help = "Digitise scans (PDF, JPEG, PNG, TIFF) to PDF/A with Vietnamese OCR, beside the originals."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="files or folders")
        parser.add_argument("--json", action="store_true", help="one JSON object per file on stdout")
        parser.add_argument("--workers", type=int, default=1, help="files digitised at once (default 1)")

    def handle(self, *args: Any, **options: Any) -> None:
        missing = [str(p) for p in options["paths"] if not p.exists()]
        if missing:
            raise CommandError(f"not found: {', '.join(missing)}")
        files = files_expand(options["paths"])
        if not files:
            raise CommandError("no PDF, JPEG, PNG or TIFF file found")
        started = time.monotonic()
        failed = 0
        for done, record in enumerate(files_digitize(files, workers=max(1, options["workers"])), 1):
            failed += "error" in record
            if options["json"]:
                self.stdout.write(json.dumps(record, ensure_ascii=False))
                self.stdout.flush()
            else:
                sys.stderr.write(_bar(done, len(files), started, record["file"]))
                if "error" in record:
                    sys.stderr.write(f"\n{record['file']}: {record['error']}\n")
                sys.stderr.flush()
        if not options["json"]:
            sys.stderr.write("\n")
            self.stdout.write(f"{len(files) - failed}/{len(files)} files digitised")
        if failed:
            sys.exit(1)
