"""``motcua tsa serve --port 8702``: the local RFC 3161 time-stamp authority (simulators/tsa.py) with the
demo TSA certificate and key from ``MOTCUA_PKI_DIR`` (``motcua pki demo`` creates them). ``make run``
starts it and points ``MOTCUA_TSA_URL`` at it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.serving import serve_until_stopped


class Command(BaseCommand):
    help = "Serve the demo RFC 3161 time-stamp authority over HTTP."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        serve = sub.add_parser("serve")
        serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        serve.add_argument("--port", type=int, default=8702, help="port (default 8702)")

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.signatures.signing import PkiFiles, tsa_credentials
        from motcua.simulators.tsa import TimeStampAuthority, tsa_server

        pki = PkiFiles(Path(settings.MOTCUA_PKI_DIR))
        if not (pki.directory / "tsa.key.pem").exists():
            raise CommandError(f"No TSA key in {pki.directory}: run `motcua pki demo` first.")
        cert, key, chain = tsa_credentials(pki)
        server = tsa_server(
            authority=TimeStampAuthority(tsa_cert=cert, tsa_key=key, chain=chain),
            host=options["host"],
            port=options["port"],
        )
        host, port = server.server_address[:2]
        serve_until_stopped(
            server,
            out=self.stdout,
            banner=f"RFC 3161 TSA ({cert.subject.human_friendly}) on http://{host!s}:{port}/",
        )
