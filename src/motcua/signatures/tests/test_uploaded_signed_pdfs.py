"""Signed PDFs an applicant attaches are verified on upload; the report stays with the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.dossiers import services
from motcua.dossiers.models import DossierFile
from motcua.dossiers.tests.conftest import pdf
from motcua.signatures.render import document_render
from motcua.signatures.signing import PkiFiles, SoftwareSigner
from motcua.signatures.tests.test_signing import DATA

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_form(signing: Path) -> bytes:
    """An e-form the applicant signed (here with the demo key of "dung", under the trusted demo root)."""
    return SoftwareSigner(pki=PkiFiles(signing), name="dung").sign(
        pdf=document_render(template="receipt", data=DATA),
        reason="Ký tờ khai",
        location="Minh Sơn",
        field_name="ChuKyNguoiNop",
    )


def _submit(version, citizen, first: SimpleUploadedFile):  # type: ignore[no-untyped-def]
    components = list(version.components.order_by("order"))
    return services.dossier_submit(
        data=services.SubmissionData(
            version=version,
            applicant=services.ApplicantData(name="Nguyễn Văn An", id_number="001090012345"),
            files={components[0].pk: [first], components[1].pk: [pdf("b.pdf")]},
        ),
        user=citizen,
    )


def test_a_valid_signed_form_is_verified_and_the_report_kept(
    signed_form: bytes, bulletin_version, citizen_an, clerk_binh
) -> None:
    dossier = _submit(
        bulletin_version, citizen_an, SimpleUploadedFile("to-khai.pdf", signed_form, "application/pdf")
    )
    files = {f.original_name: f for f in DossierFile.objects.filter(component__dossier=dossier)}
    report = files["to-khai.pdf"].signature_report
    assert report["all_valid"] is True
    assert "Hoàng Văn Dũng" in report["signatures"][0]["signer"]
    assert files["b.pdf"].signature_report is None  # an unsigned scan is not checked
    client = Client()
    client.force_login(clerk_binh)
    page = client.get(f"/mot-cua/ho-so/{dossier.code}/").content.decode()
    assert "chữ ký số hợp lệ" in page


def test_a_tampered_signed_form_is_flagged_but_still_accepted(
    signed_form: bytes, bulletin_version, citizen_an
) -> None:
    tampered = bytearray(signed_form)
    tampered[tampered.find(b"/Title") + 2] ^= 0x01
    dossier = _submit(
        bulletin_version, citizen_an, SimpleUploadedFile("to-khai.pdf", bytes(tampered), "application/pdf")
    )
    report = DossierFile.objects.get(component__dossier=dossier, original_name="to-khai.pdf").signature_report
    assert report["all_valid"] is False
