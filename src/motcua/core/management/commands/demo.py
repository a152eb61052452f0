"""``motcua demo``: load the demo province (idempotent: a second run changes nothing) and print logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Load the demo province: agencies, calendar 2024–2027, catalogue, staff and citizen accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.accounts.demo import load_demo_users
        from motcua.agencies.demo import load_demo_agencies
        from motcua.calendar.services import calendar_seed
        from motcua.catalog.demo import load_demo_catalogue

        with transaction.atomic():
            load_demo_agencies()
            calendar_seed(years=range(2024, 2028))
            load_demo_catalogue()
            logins = load_demo_users()
        self.stdout.write(self.style.SUCCESS("Demo province loaded (tỉnh Minh Sơn, H99)."))
        self.stdout.write("Demo logins (username / password — role @ agency):")
        for login in logins:
            self.stdout.write(f"  {login.username:<12} / {login.password:<16} {login.description}")
