"""``motcua index compute --from YYYY-MM-DD --to YYYY-MM-DD [--agency CODE] [--json]``: the national
service-quality index (Decision 766) from our own data; ``motcua index rebuild-facts`` rebuilds every
dossier's fact row (and the daily counters with them); ``motcua index rebuild-daily`` recomputes the daily
counters from the fact rows (after a bulk load that went around ``fact_refresh``, or to repair them)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "The national service-quality index (Decision 766/QĐ-TTg) from our own data."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        compute = sub.add_parser("compute")
        compute.add_argument("--from", dest="start", required=True, type=dt.date.fromisoformat)
        compute.add_argument("--to", dest="end", required=True, type=dt.date.fromisoformat)
        compute.add_argument("--agency", default=None, help="agency e-ID code (default: the whole province)")
        compute.add_argument("--json", action="store_true")
        sub.add_parser("rebuild-facts")
        sub.add_parser("rebuild-daily")

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.ioc.facts import facts_rebuild_all
        from motcua.ioc.index import Period, index_compute

        if options["action"] == "rebuild-facts":
            self.stdout.write(f"{facts_rebuild_all()} facts rebuilt")
            return
        if options["action"] == "rebuild-daily":
            from motcua.ioc.daily import daily_rebuild

            self.stdout.write(f"{daily_rebuild()} daily counter rows rebuilt")
            return
        agency = None
        if options["agency"]:
            from motcua.agencies.models import Agency

            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                raise CommandError(f"No agency {options['agency']}")
        if options["end"] < options["start"]:
            raise CommandError("--to is before --from")
        result = index_compute(period=Period(options["start"], options["end"]), agency=agency)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        period = result["period"]
        score = f"{result['total']:.2f} / {result['max_total']:.0f}"
        self.stdout.write(f"{period['from']} → {period['to']}: {score}")
        for code, item in result["indicators"].items():
            rate = "N/A" if item["rate"] is None else f"{item['rate'] * 100:.2f} %"
            points = "—" if item["points"] is None else f"{item['points']:.2f}"
            counts = f"{item['numerator']:>8} / {item['denominator']:<8}"
            score = f"{points:>6} / {item['max_points']:.0f}"
            self.stdout.write(f"  {code:5} {counts} {rate:>9}  {score}  {item['name']}")
