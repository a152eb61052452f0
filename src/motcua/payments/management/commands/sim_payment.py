"""``motcua sim-payment serve --port 8715``: the local payment platform (simulators/payment.py) with our
terminal code and hash secret, notifying ``--ipn-url`` (default: MOTCUA_SITE_URL + the IPN path). ``make
run`` starts it and MOTCUA_PAYMENT_URL points at it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from motcua.core.serving import serve_until_stopped


class Command(BaseCommand):
    help = "Serve the payment-platform simulator (VNPay-style protocol) over HTTP."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        serve = sub.add_parser("serve")
        serve.add_argument("--host", default="127.0.0.1")
        serve.add_argument("--port", type=int, default=8715)
        serve.add_argument("--ipn-url", default="", help="the merchant's IPN URL")

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.simulators.payment import PaymentPlatform, payment_server

        if not settings.MOTCUA_PAYMENT_HASH_SECRET or not settings.MOTCUA_PAYMENT_TMN_CODE:
            raise CommandError("MOTCUA_PAYMENT_TMN_CODE and MOTCUA_PAYMENT_HASH_SECRET must be set.")
        ipn_url = options["ipn_url"] or settings.SITE_URL.rstrip("/") + reverse("payments:ipn")
        platform = PaymentPlatform(
            tmn_code=settings.MOTCUA_PAYMENT_TMN_CODE,
            hash_secret=settings.MOTCUA_PAYMENT_HASH_SECRET,
            ipn_url=ipn_url,
        )
        server = payment_server(platform=platform, host=options["host"], port=options["port"])
        host, port = server.server_address[:2]
        serve_until_stopped(
            server,
            out=self.stdout,
            banner=f"Payment platform simulator on http://{host!s}:{port}/ (IPN to {ipn_url})",
        )
