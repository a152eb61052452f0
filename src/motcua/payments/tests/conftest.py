from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from motcua.catalog.models import Fee, FeeKind, ProcedureVersion

# The dossier fixtures serve the payment tests too.
from motcua.dossiers.tests.conftest import bulletin_version, calendar_seeded, frozen  # noqa: F401
from motcua.simulators.payment import PaymentPlatform, payment_serve_in_thread, payment_server

FEE = 100_000


@pytest.fixture
def fee_version(bulletin_version: ProcedureVersion) -> ProcedureVersion:  # noqa: F811
    Fee.objects.create(
        version=bulletin_version, name="Lệ phí cấp giấy phép", kind=FeeKind.CHARGE, amount=Decimal(FEE)
    )
    return bulletin_version


@pytest.fixture
def platform(settings: Any) -> Iterator[PaymentPlatform]:
    """The payment-platform simulator on a free port, our settings pointed at it. It sends no IPN unless a
    test sets ``platform.ipn_url`` (tests deliver the signed notification themselves or via a live server)."""
    sim = PaymentPlatform(
        tmn_code=settings.MOTCUA_PAYMENT_TMN_CODE, hash_secret=settings.MOTCUA_PAYMENT_HASH_SECRET
    )
    server = payment_server(platform=sim, port=0)
    payment_serve_in_thread(server)
    settings.MOTCUA_PAYMENT_URL = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield sim
    finally:
        server.shutdown()
        server.server_close()
