"""``motcua dvcqg``: the national public service portal sync from the command line.

* ``reconcile [--json]``: every dossier's status, dates and result link against ``TraCuuHoSo``;
* ``resync CODE``: send one dossier again now;
* ``drain``: send what the outbox owes now (the worker does it after each commit);
* ``catalogue-diff [--json] [--apply] [--effective-from YYYY-MM-DD]``: the catalogue against
  ``LayThuTuc``; ``--apply`` publishes a new version of each procedure that differs."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Synchronisation with the National Public Service Portal (DVCQG): reconcile, re-sync, catalogue."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        reconcile = sub.add_parser("reconcile", help="compare every dossier with the national portal")
        reconcile.add_argument("--json", action="store_true", help="print the result as JSON")
        resync = sub.add_parser("resync", help="send one dossier again now")
        resync.add_argument("code")
        sub.add_parser("drain", help="send the outbox now")
        diff = sub.add_parser("catalogue-diff", help="compare the catalogue with LayThuTuc")
        diff.add_argument("--json", action="store_true", help="print the result as JSON")
        diff.add_argument("--apply", action="store_true", help="publish a new version of each that differs")
        diff.add_argument(
            "--effective-from", type=dt.date.fromisoformat, default=None, help="default: tomorrow"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "reconcile":
            self._reconcile(as_json=options["json"])
        elif action == "resync":
            from motcua.dvcqg.services import dossier_resync

            try:
                dossier_resync(code=options["code"])
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(f"Đã đồng bộ lại hồ sơ {options['code']}.")
        elif action == "drain":
            from motcua.dvcqg.services import outbox_drain

            self.stdout.write(json.dumps(outbox_drain().as_dict(), ensure_ascii=False))
        else:
            self._catalogue(as_json=options["json"], apply=options["apply"], start=options["effective_from"])

    def _reconcile(self, *, as_json: bool) -> None:
        from motcua.dvcqg.selectors import reconcile

        result = reconcile()
        if as_json:
            sys.stdout.write(json.dumps(result, ensure_ascii=False, default=str) + "\n")
            return
        self.stdout.write(
            f"Đã đối chiếu {result['checked']} hồ sơ: {result['matched']} khớp, {result['different']} khác, "
            f"{result['missing']} chưa có trên Cổng, {result['unreachable']} không kiểm tra được."
        )
        for item in result["items"]:
            fields = ", ".join(
                f"{d['field']} ({d['ours']} / {d['national']})" for d in item.get("differences", [])
            )
            self.stdout.write(f"  {item['code']}: {item['state']} {fields}")

    def _catalogue(self, *, as_json: bool, apply: bool, start: dt.date | None) -> None:
        from motcua.dvcqg.catalogue import catalogue_apply, catalogue_diff, diff_public

        diff = catalogue_diff()
        applied = catalogue_apply(diff=diff, effective_from=start) if apply else None
        public = diff_public(diff)
        if applied is not None:
            public["applied"] = applied
        if as_json:
            sys.stdout.write(json.dumps(public, ensure_ascii=False, default=str) + "\n")
            return
        self.stdout.write(
            f"Đã so sánh {public['checked']} thủ tục: {public['same']} giống, {public['different']} khác, "
            f"{public['missing']} không có trên CSDL quốc gia, {public['unreachable']} không kiểm tra được."
        )
        for item in public["items"]:
            self.stdout.write(f"  {item['code']} ({item['national_code']}): {item['state']}")
            for difference in item.get("differences", []):
                self.stdout.write(
                    f"    {difference['field']}: {difference['ours']} → {difference['national']}"
                )
        for outcome in applied or []:
            detail = f"phiên bản {outcome['version']}" if outcome["version"] else outcome.get("error", "")
            self.stdout.write(f"  {outcome['code']}: {outcome['outcome']} {detail}")
