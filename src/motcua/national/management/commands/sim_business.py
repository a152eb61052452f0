"""``motcua sim-business serve --port 8713``: the stand-in national business registration database
(simulators/business.py), synthetic seeded enterprises (the demo one: 0109999999)."""

from __future__ import annotations

from http.server import ThreadingHTTPServer
from typing import Any

from motcua.national.management.commands._sim import SimulatorCommand


class Command(SimulatorCommand):
    help = "Serve the simulated national business registration database."
    title = "National business registration database simulator"
    default_port = 8713

    def build(self, options: dict[str, Any]) -> ThreadingHTTPServer:
        from motcua.simulators.business import BusinessRegistry, business_server

        return business_server(
            registry=BusinessRegistry(seed=options["seed"]), host=options["host"], port=options["port"]
        )
