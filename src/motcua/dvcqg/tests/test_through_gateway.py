"""The real path: our adapter → gateway (LGSP, service ``dvcqg``) → simulator; and a dossier a citizen
submits on the simulator → gateway (member ``dvcqg``, service ``motcua``) → our incoming API."""

from __future__ import annotations

from typing import Any

from motcua.dossiers.models import Dossier
from motcua.dossiers.workflow import DossierStatus
from motcua.dvcqg.models import NationalSubmission
from motcua.dvcqg.selectors import reconcile
from motcua.dvcqg.services import outbox_drain
from motcua.dvcqg.tests.conftest import RunningPortal
from motcua.simulators.dvcqg import Forwarder
from motcua.testing.gateway import gateway_served
from motcua.testing.journeys import bulletin_submitted


def test_sync_goes_through_the_gateway_and_is_logged(
    national_portal: RunningPortal, bulletin_version, citizen_an, settings: Any
) -> None:
    from motcua.gateway.models import MessageLog

    settings.MOTCUA_DVCQG_URL = ""  # through the gateway
    with gateway_served(upstreams={"dvcqg": national_portal.url}):
        dossier = bulletin_submitted(bulletin_version, citizen_an)
        report = outbox_drain()
        assert report.dossiers_sent == 1, report.errors
        assert national_portal.portal.dossiers[dossier.code]["TrangThaiHoSo"] == 1
        assert reconcile()["matched"] == 1
        purposes = set(MessageLog.objects.values_list("purpose", flat=True))
        assert f"HS:{dossier.code}" in purposes
    # The gateway gone: an outage, nothing lost.
    bulletin_submitted(bulletin_version, citizen_an, "Bản tin thứ hai")
    assert outbox_drain().failed == 1


def test_a_dossier_submitted_on_the_national_portal_arrives_through_the_gateway(
    national_portal: RunningPortal, bulletin_version, live_server: Any
) -> None:
    for number, component in enumerate(bulletin_version.components.order_by("order"), start=1):
        component.code = f"TP{number}"
        component.save(update_fields=["code"])
    code = bulletin_version.procedure.national_code
    national_portal.portal.procedures[code]["THANHPHANHOSO"] = [
        {"MAGIAYTO": c.code, "TENGIAYTO": c.name, "BATBUOC": c.required}
        for c in bulletin_version.components.all()
    ]
    with gateway_served(
        upstreams={"dvcqg": national_portal.url, "motcua": f"{live_server.url}/api/v1/lgsp/"}
    ) as gw:
        gw.client("dvcqg", services=("motcua",), secret="dvcqg-secret")
        national_portal.portal.forwarder = Forwarder(
            url=f"{gw.url}/r/motcua/dvcqg/ho-so",
            token_url=f"{gw.url}/oauth/token",
            client_id="dvcqg",
            client_secret="dvcqg-secret",
        )
        submitted = national_portal.portal.submit(
            {
                "MaTTHC": code,
                "ChuHoSo": "Lê Văn Bình",
                "MaDoiTuong": "001090054321",
                "TrichYeuHoSo": "Bản tin",
            }
        )
    assert submitted["forwarded"], submitted["forward_error"]
    dossier = Dossier.objects.get(code=submitted["MaHoSo"])
    assert dossier.status == DossierStatus.SUBMITTED
    assert NationalSubmission.objects.get(dossier=dossier).national_code == submitted["MaHoSoQG"]
