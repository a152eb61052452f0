"""Form 01 as an electronic document carries the receiving official's digital signature (Circular
03/2025/TT-VPCP Annex I; issue 12 point 5), applied in the clerk's own receive action."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.signatures.models import IssuedDocument
from motcua.signatures.pki import pki_demo_build, pki_write
from motcua.testing.journeys import bulletin_submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk_can_sign(frozen: Any, settings: Any, tmp_path: Path) -> Path:
    pki_write(
        pki_demo_build(people={"binh": ("Trần Văn Bình", "Trung tâm Phục vụ hành chính công")}), tmp_path
    )
    settings.MOTCUA_PKI_DIR = str(tmp_path)
    settings.MOTCUA_SIGN_RESULTS = True
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def _submitted(version: Any, citizen: Any) -> Dossier:
    return bulletin_submitted(version, citizen, summary="Bản tin")


def _received(version: Any, citizen: Any, clerk: Any) -> Dossier:
    return services.dossier_receive(dossier=_submitted(version, citizen), clerk=clerk)


def test_receiving_signs_the_receipt_with_the_clerks_key_and_anyone_can_verify_it(
    clerk_can_sign: Path, citizen_an: Any, clerk_binh: Any, bulletin_version: Any
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    receipt = IssuedDocument.objects.get(dossier=dossier, kind="01")
    assert receipt.signed_by == [{"username": "binh", "field": "ChuKyTiepNhan"}]
    # Known until when its time-stamps hold, so the archive job stamps it only when that nears.
    assert receipt.timestamp_valid_until is not None
    content = receipt.file.read()
    report = (
        Client()
        .post(
            "/api/v1/verifications",
            {"file": SimpleUploadedFile("giay-hen.pdf", content, content_type="application/pdf")},
        )
        .json()
    )
    assert report["all_valid"] is True
    signatures = [s for s in report["signatures"] if s["kind"] == "signature"]
    assert [(s["field"], s["signer"]) for s in signatures] == [("ChuKyTiepNhan", "Trần Văn Bình")]
    # The applicant downloads exactly that signed file.
    client = Client()
    client.force_login(citizen_an)
    served = client.get(f"/van-ban/giay-hen/{dossier.code}.pdf")
    assert b"".join(served.streaming_content) == content  # type: ignore[attr-defined]


def test_a_clerk_without_a_certificate_still_receives_and_the_receipt_is_rendered_unsigned(
    clerk_can_sign: Path, citizen_an: Any, bulletin_version: Any
) -> None:
    # A clerk with no certificate in this PKI: the counter keeps working (a warning is logged).
    from motcua.accounts.models import Role
    from motcua.testing.factories import StaffRoleFactory

    dossier = _submitted(bulletin_version, citizen_an)
    clerk = StaffRoleFactory(agency=dossier.receiving_agency, role=Role.ONE_STOP_CLERK).user
    dossier = services.dossier_receive(dossier=dossier, clerk=clerk)
    assert dossier.received_at is not None
    assert not IssuedDocument.objects.filter(dossier=dossier, kind="01").exists()
    client = Client()
    client.force_login(citizen_an)
    response = client.get(f"/van-ban/giay-hen/{dossier.code}.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
