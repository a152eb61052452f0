"""``motcua sim-vneid serve --port 8716``: the VNeID OpenID Connect provider simulator
(simulators/vneid.py) with our portal registered as its client (MOTCUA_VNEID_CLIENT_ID / _SECRET, redirect
URI on MOTCUA_SITE_URL). ``make run`` starts it and points ``MOTCUA_VNEID_URL`` at it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from motcua.core.serving import serve_until_stopped


class Command(BaseCommand):
    help = "Serve the VNeID OpenID Connect provider simulator over HTTP."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        serve = sub.add_parser("serve")
        serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        serve.add_argument("--port", type=int, default=8716, help="port (default 8716)")
        serve.add_argument("--issuer", default="", help="issuer URL (default http://<host>:<port>)")

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.identity.vneid import vneid_claim_names, vneid_redirect_uris
        from motcua.simulators.vneid import Client, vneid_server

        issuer = options["issuer"] or f"http://{options['host']}:{options['port']}"
        client = Client(
            client_id=settings.MOTCUA_VNEID_CLIENT_ID,
            client_secret=settings.MOTCUA_VNEID_CLIENT_SECRET,
            redirect_uris=vneid_redirect_uris(),
        )
        # The claim names the portal reads (MOTCUA_VNEID_CLAIM_*): issued too, so a renamed mapping
        # still logs in against the simulator.
        names = {
            field: found[0] for field, found in vneid_claim_names().items() if found and field != "subject"
        }
        server, provider = vneid_server(
            issuer=issuer,
            clients={client.client_id: client},
            host=options["host"],
            port=options["port"],
            claim_names=names,
        )
        serve_until_stopped(
            server,
            out=self.stdout,
            banner=f"VNeID OIDC simulator on {provider.issuer}/ (client {client.client_id})",
        )
