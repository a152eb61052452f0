from __future__ import annotations

import urllib.parse
import urllib.request
from typing import Any

from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import pdf
from motcua.payments.providers import provider
from motcua.simulators.payment import PaymentPlatform


def submitted(version: Any, citizen: Any, *, email: str = "an@example.org") -> Dossier:
    components = list(version.components.order_by("order"))
    return dossier_services.dossier_submit(
        data=dossier_services.SubmissionData(
            version=version,
            applicant=dossier_services.ApplicantData(
                name="Nguyễn Văn An", id_number="001090012345", phone="0912345678", email=email
            ),
            files={components[0].pk: [pdf()], components[1].pk: [pdf("b.pdf")]},
        ),
        user=citizen,
    )


def open_at_platform(
    platform: PaymentPlatform, order: Any, return_url: str = "http://testserver/thanh-toan/ket-qua/"
) -> None:
    """The payer's browser follows our redirect: the platform checks the signed order and shows its page."""
    url = provider().checkout_url(order=order, return_url=return_url, client_ip="127.0.0.1")
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - the local simulator
        page = response.read().decode()
    assert order.txn_ref in page


def decide(platform: PaymentPlatform, order: Any, choice: str) -> dict[str, str]:
    """The tester's click on the platform's page; returns the signed result parameters (as the IPN and
    the return URL carry them)."""
    target = platform.decide(order.txn_ref, choice)
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(target).query))
