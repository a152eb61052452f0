"""The DVCQG outbox drain rate: dossiers (and their progress entries) synced per second to the national
portal simulator over HTTP, after an outage left a backlog. Direct to the simulator and, when the
gateway app is installed, through the gateway (LGSP) served in a thread (signed message log)."""

from __future__ import annotations

import json
import time
from typing import Any

DOSSIERS = 200


def _backlog(count: int) -> list[Any]:
    from motcua.accounts.demo import load_demo_users
    from motcua.accounts.models import User
    from motcua.agencies.demo import load_demo_agencies
    from motcua.calendar.services import calendar_seed
    from motcua.catalog.demo import load_demo_catalogue
    from motcua.dossiers import demo as dossier_demo
    from motcua.dossiers import services

    load_demo_agencies()
    calendar_seed(years=range(2024, 2028))
    load_demo_catalogue()
    load_demo_users()
    citizen, clerk = User.objects.get(username="an"), User.objects.get(username="binh")
    dossiers = []
    for number in range(count):
        dossier = dossier_demo._submit(dossier_demo.BULLETIN, citizen, f"Bản tin {number}")
        if number % 2:
            dossier = services.dossier_receive(dossier=dossier, clerk=clerk)
        dossiers.append(dossier)
    return dossiers


def _drain(label: str) -> None:
    from motcua.dossiers.models import DossierEvent
    from motcua.dvcqg.models import SentEvent, SyncState
    from motcua.dvcqg.services import outbox_drain

    SentEvent.objects.all().delete()
    SyncState.objects.all().delete()
    events = DossierEvent.objects.count()
    started = time.perf_counter()
    report = outbox_drain(max_batches=10_000)
    elapsed = time.perf_counter() - started
    assert report.failed == 0, report.errors
    print(
        f"{label}: {report.dossiers_sent / elapsed:,.0f} dossier syncs/s "
        f"({report.events_sent / elapsed:,.0f} progress entries/s; {report.dossiers_sent} dossiers, "
        f"{events} events, 2 calls per 50 dossiers, {elapsed:.1f} s)"
    )


def main() -> None:
    from django.conf import settings

    from motcua.catalog.demo import DEMO_FILE
    from motcua.simulators.dvcqg import NationalPortal, dvcqg_serve_in_thread, dvcqg_server, national_records

    started = time.perf_counter()
    _backlog(DOSSIERS)
    print(f"backlog: {DOSSIERS} dossiers (half received) in {time.perf_counter() - started:.1f} s")
    portal = NationalPortal(procedures=national_records(json.loads(DEMO_FILE.read_bytes())))
    server = dvcqg_server(portal=portal, port=0)
    dvcqg_serve_in_thread(server)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        settings.MOTCUA_DVCQG_URL = url
        _drain("direct to the simulator")
        if "motcua.gateway" in settings.INSTALLED_APPS:
            from motcua.testing.gateway import gateway_served

            settings.MOTCUA_DVCQG_URL = ""
            with gateway_served(upstreams={"dvcqg": url}):
                _drain("through the gateway (LGSP)")
    finally:
        server.shutdown()
        server.server_close()
