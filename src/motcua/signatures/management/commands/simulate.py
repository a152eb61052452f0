"""``motcua simulate csc --port 8701``: a local remote-signing service speaking the CSC API
(simulators/csc.py) with the demo officials' keys from MOTCUA_PKI_DIR. Point MOTCUA_CSC_URL at it and set
MOTCUA_SIGNER_PROVIDER=csc (docs/signing-providers.md). Loopback only unless --host says otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

DEMO_CLIENT_ID = "motcua-demo"
DEMO_CLIENT_SECRET = "motcua-demo-csc-secret"  # noqa: S105 — a published demo value for a local stand-in


class Command(BaseCommand):
    help = "Run a local stand-in for an outside service (csc: remote signing, CSC API v1/v2)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="service", required=True)
        csc = sub.add_parser("csc", help="remote signing service (Cloud Signature Consortium API)")
        csc.add_argument("--host", default="127.0.0.1")
        csc.add_argument("--port", type=int, default=8701)
        csc.add_argument("--pki-dir", default="", help="keys to hold (default: MOTCUA_PKI_DIR)")
        csc.add_argument(
            "--client-id",
            default="",
            help=f"OAuth2 client (default: MOTCUA_CSC_CLIENT_ID or {DEMO_CLIENT_ID})",
        )
        csc.add_argument(
            "--client-secret", default="", help="default: MOTCUA_CSC_CLIENT_SECRET or the demo one"
        )
        csc.add_argument("--pin", default="", help="PIN credentials/authorize requires (default: none)")
        csc.add_argument("--scal", type=int, choices=(1, 2), default=2, help="2: SAD pinned to the hashes")
        csc.add_argument("--sad-lifetime", type=int, default=300, help="seconds a SAD stays valid")

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.simulators.csc import CscService, credentials_from_pki, csc_server, server_url

        directory = Path(options["pki_dir"] or settings.MOTCUA_PKI_DIR)
        if not (directory / "root.crt.pem").exists():
            raise CommandError(f"No PKI in {directory}: run `motcua pki demo` first.")
        credentials = credentials_from_pki(directory)
        client_id = options["client_id"] or settings.MOTCUA_CSC_CLIENT_ID or DEMO_CLIENT_ID
        secret = options["client_secret"] or settings.MOTCUA_CSC_CLIENT_SECRET or DEMO_CLIENT_SECRET
        service = CscService(
            credentials=credentials,
            clients={client_id: secret},
            pin=options["pin"],
            scal=options["scal"],
            sad_lifetime=options["sad_lifetime"],
        )
        server = csc_server(service=service, host=options["host"], port=options["port"])
        url = server_url(server)
        users = ", ".join(sorted(c.user_id for c in credentials.values()))
        self.stdout.write(f"CSC simulator on {url}/csc/v1/ and /csc/v2/ — credentials: {users}")
        self.stdout.write(
            f"  MOTCUA_SIGNER_PROVIDER=csc MOTCUA_CSC_URL={url} "
            f"MOTCUA_CSC_CLIENT_ID={client_id} MOTCUA_CSC_CLIENT_SECRET=…"
            + (" MOTCUA_CSC_PIN=…" if options["pin"] else "")
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
