"""What the three ``motcua sim-* serve`` commands share: ``serve --host --port --seed``."""

from __future__ import annotations

from http.server import ThreadingHTTPServer
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.core.serving import serve_until_stopped


class SimulatorCommand(BaseCommand):
    title = ""
    default_port = 0

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        serve = sub.add_parser("serve")
        serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        serve.add_argument(
            "--port", type=int, default=self.default_port, help=f"port (default {self.default_port})"
        )
        serve.add_argument("--seed", type=int, default=2026, help="seed of the synthetic data (default 2026)")
        self.add_serve_arguments(serve)

    def add_serve_arguments(self, parser: CommandParser) -> None:
        return None

    def build(self, options: dict[str, Any]) -> ThreadingHTTPServer:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        server = self.build(options)
        host, port = server.server_address[:2]
        serve_until_stopped(
            server,
            out=self.stdout,
            banner=f"{self.title} on http://{host!s}:{port}/ (reached through the gateway)",
        )
