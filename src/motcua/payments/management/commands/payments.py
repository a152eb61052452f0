"""``motcua payments reconcile --date YYYY-MM-DD [--json]``: compare the day's payments and refunds with the
platform's settlement file. ``motcua payments expire``: close unpaid orders past their expiry."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Payments: daily reconciliation and expiry of unpaid orders."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rec = sub.add_parser("reconcile")
        rec.add_argument("--date", required=True, help="YYYY-MM-DD (Vietnam time)")
        rec.add_argument("--json", action="store_true")
        sub.add_parser("expire")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "expire":
            from motcua.payments.services import orders_expire

            self.stdout.write(json.dumps(orders_expire()))
            return
        from motcua.payments.reconcile import reconcile_day

        try:
            day = dt.date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD") from None
        try:
            report = reconcile_day(day)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False))
            return
        self.stdout.write(
            f"{report.date}: matched {report.matched}, ours only {report.ours_only}, "
            f"theirs only {report.theirs_only}, amount mismatch {report.amount_mismatch}"
        )
        for item in report.items:
            self.stdout.write(
                f"  {item.status:16} {item.txn_ref} {item.kind} ours={item.ours} theirs={item.theirs}"
            )
