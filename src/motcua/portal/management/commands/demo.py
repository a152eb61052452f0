"""``motcua demo``: load the demo province (idempotent: a second run changes nothing) and print logins.

It lives in ``portal``, the top of the house, because it fills every app below it (``core`` imports none)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Load the demo province: agencies, calendar 2024–2027, catalogue, staff and citizen accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            # Published passwords and API tokens must never exist on a real instance.
            raise CommandError("motcua demo refuses to run when MOTCUA_PRODUCTION=1")
        from motcua.accounts.demo import demo_api_tokens, load_demo_users
        from motcua.agencies.demo import load_demo_agencies
        from motcua.calendar.services import calendar_seed
        from motcua.catalog.demo import load_demo_catalogue
        from motcua.dossiers.demo import load_demo_dossiers
        from motcua.dossiers.reference import rating_criteria_seed, status_mapping_seed
        from motcua.payments.demo import demo_fee_procedure, load_demo_payments

        with transaction.atomic():
            load_demo_agencies()
            calendar_seed(years=range(2024, 2028))
            load_demo_catalogue()
            logins = load_demo_users()
            reconcilers = set(load_demo_payments())
            status_mapping_seed()
            rating_criteria_seed()
            tokens = demo_api_tokens()
        created = load_demo_dossiers()
        from motcua.gateway.demo import seed_demo as gateway_seed_demo

        for line in gateway_seed_demo():  # the LGSP registry, clients and grants (docs/integration.md)
            self.stdout.write(line)
        from motcua.identity.demo import load_demo_store

        for line in load_demo_store():  # a signed document in An's data store: once-only reuse shows
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Demo province loaded (tỉnh Minh Sơn, H99)."))
        self.stdout.write("Demo logins (username / password — role @ agency):")
        for login in logins:
            extra = "; đối soát, hoàn phí thanh toán" if login.username in reconcilers else ""
            self.stdout.write(f"  {login.username:<17} / {login.password:<16} {login.description}{extra}")
        fee = demo_fee_procedure()
        if fee is not None:
            code, name, amount = fee
            self.stdout.write(
                f"Online payment: submit {code} ({name}, {amount:,} đ) as a citizen, then "
                "“Nộp phí, lệ phí” on the dossier page (payment simulator)."
            )
        self.stdout.write("API tokens (header `Authorization: Bearer <token>`):")
        for username, key in tokens:
            self.stdout.write(f"  {username:<17} {key}")
        if created:
            self.stdout.write(f"{created} demo dossiers created in every state (citizens an and lan).")
