"""``motcua sim-population serve --port 8712``: the stand-in national population database
(simulators/population.py), synthetic seeded citizens including the demo ones."""

from __future__ import annotations

from http.server import ThreadingHTTPServer
from typing import Any

from motcua.national.management.commands._sim import SimulatorCommand


class Command(SimulatorCommand):
    help = "Serve the simulated national population database (CSDLQG về dân cư)."
    title = "National population database simulator"
    default_port = 8712

    def build(self, options: dict[str, Any]) -> ThreadingHTTPServer:
        from motcua.simulators.population import PopulationDatabase, population_server

        db = PopulationDatabase(seed=options["seed"])
        return population_server(db=db, host=options["host"], port=options["port"])
