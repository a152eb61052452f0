"""The DVCQG simulator served in a thread on a free port, and the sync pointed straight at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from motcua.dossiers.tests.conftest import bulletin_version, calendar_seeded, frozen  # noqa: F401
from motcua.simulators.dvcqg import NationalPortal, dvcqg_serve_in_thread, dvcqg_server

RECORD = {
    "MATTHCDP": "",
    "TENTTHC": "Cấp giấy phép xuất bản bản tin",
    "LINHVUCTHUCHIEN": [{"MALINHVUC": "G12-XB01", "TENLINHVUC": "Xuất bản"}],
    "CANCUPHAPLY": [{"SOVANBAN": "19/2012/QH13", "TENVANBAN": "Luật Xuất bản"}],
}


class RunningPortal:
    """The portal object and its server; ``stop()``/``start()`` simulate an outage on the same port."""

    def __init__(self, portal: NationalPortal) -> None:
        self.portal = portal
        self.server = dvcqg_server(portal=portal, port=0)
        self.port = self.server.server_address[1]
        dvcqg_serve_in_thread(self.server)
        self.running = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.running:
            self.server.shutdown()
            self.server.server_close()
            self.running = False

    def start(self) -> None:
        self.server = dvcqg_server(portal=self.portal, port=self.port)
        dvcqg_serve_in_thread(self.server)
        self.running = True


@pytest.fixture
def national_portal(settings: Any, bulletin_version: Any) -> Iterator[RunningPortal]:  # noqa: F811
    code = bulletin_version.procedure.national_code
    running = RunningPortal(
        NationalPortal(procedures={code: {**RECORD, "MATTHCDP": bulletin_version.procedure.local_code}})
    )
    settings.MOTCUA_DVCQG_URL = running.url
    try:
        yield running
    finally:
        running.stop()
