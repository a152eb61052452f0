"""``motcua catalogue import FILE`` / ``motcua catalogue export [--output FILE] [--code CODE ...]``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Import or export the procedure catalogue (JSON shaped like the national LayThuTuc record)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import FILE (all or nothing)")
        imp.add_argument("file")
        exp = sub.add_parser("export", help="export the catalogue")
        exp.add_argument("--output", "-o", default="-")
        exp.add_argument("--code", action="append", default=[], help="local procedure code (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.catalog.exchange import catalogue_export, catalogue_import

        if options["action"] == "import":
            path = Path(options["file"])
            if not path.is_file():
                raise CommandError(f"Không tìm thấy tệp {path} / File not found.")
            try:
                report = catalogue_import(data=path.read_bytes())
            except ApplicationError as exc:
                for error in exc.extra.get("errors", []):
                    self.stderr.write(f"  {error['procedure']}: {error['field']}: {error['message']}")
                raise CommandError(exc.message) from exc
            self.stdout.write(
                f"Đã nhập {report.procedures} thủ tục: {report.versions_created} phiên bản mới, "
                f"{report.versions_updated} cập nhật, {report.versions_unchanged} không đổi."
            )
            return
        document = catalogue_export(codes=options["code"] or None)
        text = json.dumps(document, ensure_ascii=False, indent=1)
        if options["output"] == "-":
            sys.stdout.write(text + "\n")
        else:
            Path(options["output"]).write_text(text + "\n", encoding="utf-8")
            self.stdout.write(f"Đã xuất {len(document['THUTUC'])} phiên bản ra {options['output']}.")
