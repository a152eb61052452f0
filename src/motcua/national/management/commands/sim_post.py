"""``motcua sim-post serve --port 8714 [--auto-advance SECONDS]``: the stand-in public postal service
(simulators/post.py). With ``--auto-advance`` every open order moves one status on per period and the
change is pushed to our callback, so the demo shows tracking without an operator."""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer
from typing import Any

from django.core.management.base import CommandParser

from motcua.national.management.commands._sim import SimulatorCommand


class Command(SimulatorCommand):
    help = "Serve the simulated public postal service (pick-up, delivery, tracking callbacks)."
    title = "Public postal service simulator"
    default_port = 8714

    def add_serve_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--auto-advance",
            type=float,
            default=0,
            help="move open orders on every SECONDS (0: only on request)",
        )

    def build(self, options: dict[str, Any]) -> ThreadingHTTPServer:
        from motcua.simulators.post import PostService, post_server

        service = PostService(seed=options["seed"])
        period = options["auto_advance"]
        if period > 0:
            stop = threading.Event()

            def tick() -> None:
                while not stop.wait(period):
                    service.advance()

            threading.Thread(target=tick, name="sim-post-advance", daemon=True).start()
        return post_server(service=service, host=options["host"], port=options["port"])
