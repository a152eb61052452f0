"""``motcua sim-dvcqg serve --port 8711``: the national public service portal simulator
(simulators/dvcqg.py), its procedure records seeded from the demo catalogue (with two national changes
for the catalogue comparison). ``make run`` starts it; the province reaches it through the gateway.

Dossiers submitted on its form are forwarded to the province through the gateway as member ``dvcqg``
(secret ``MOTCUA_GATEWAY_DVCQG_CLIENT_SECRET``, the demo one by default), or straight to ``--forward-url``."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.core.env import env_str
from motcua.core.serving import serve_until_stopped


class Command(BaseCommand):
    help = "Serve the national public service portal (DVCQG) simulator over HTTP."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        serve = sub.add_parser("serve")
        serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        serve.add_argument("--port", type=int, default=8711, help="port (default 8711)")
        serve.add_argument(
            "--forward-url",
            default="",
            help="where national submissions go (default: the gateway's route to service motcua)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.catalog.demo import DEMO_FILE
        from motcua.dvcqg.client import gateway_settings
        from motcua.gateway.demo import DEMO_DVCQG_CLIENT_SECRET
        from motcua.simulators.dvcqg import Forwarder, NationalPortal, dvcqg_server, national_records

        gateway_url = gateway_settings()[0].rstrip("/")
        if options["forward_url"]:
            forwarder = Forwarder(url=options["forward_url"])
        else:
            forwarder = Forwarder(
                url=f"{gateway_url}/r/motcua/dvcqg/ho-so",
                token_url=f"{gateway_url}/oauth/token",
                client_id="dvcqg",
                client_secret=env_str("MOTCUA_GATEWAY_DVCQG_CLIENT_SECRET") or DEMO_DVCQG_CLIENT_SECRET,
            )
        portal = NationalPortal(
            procedures=national_records(json.loads(DEMO_FILE.read_bytes())), forwarder=forwarder
        )
        server = dvcqg_server(portal=portal, host=options["host"], port=options["port"])
        host, port = server.server_address[:2]
        serve_until_stopped(
            server,
            out=self.stdout,
            banner=f"DVCQG simulator ({len(portal.procedures)} procedures) on http://{host!s}:{port}/ "
            f"→ province at {forwarder.url}",
        )
