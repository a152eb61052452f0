"""Issuing a result signs it (leader, then agency) inside the issue transaction."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.core.errors import ApplicationError
from motcua.dossiers import processing, services
from motcua.dossiers.models import Dossier, TaskStatus
from motcua.dossiers.paperwork import SigningCredentials
from motcua.dossiers.tests.conftest import pdf
from motcua.signatures.models import DocumentRegister, IssuedDocument

pytestmark = pytest.mark.django_db


def _approved(version, citizen, clerk, specialist, leader) -> Dossier:  # type: ignore[no-untyped-def]
    components = list(version.components.order_by("order"))
    dossier = services.dossier_submit(
        data=services.SubmissionData(
            version=version,
            summary="Bản tin Thông tin Minh Sơn, 8 trang, 500 bản/kỳ",
            applicant=services.ApplicantData(name="Nguyễn Văn An", id_number="001090012345"),
            files={components[0].pk: [pdf()], components[1].pk: [pdf("b.pdf")]},
        ),
        user=citizen,
    )
    dossier = services.dossier_receive(dossier=dossier, clerk=clerk)
    processing.task_complete(
        task=dossier.tasks.get(status=TaskStatus.ACTIVE, is_consultation=False), user=specialist
    )
    # The leader authorises the personal signature by giving the password again (F1).
    processing.task_complete(
        task=dossier.tasks.get(status=TaskStatus.ACTIVE, is_consultation=False),
        user=leader,
        credentials=SigningCredentials(password="motcua-test-pass"),
    )
    return Dossier.objects.get(pk=dossier.pk)


def test_issuing_signs_the_result_twice_and_the_api_recognises_it(
    signing, citizen_an, clerk_binh, specialist_chi, leader_dung, clerical_em, bulletin_version, frozen
) -> None:
    dossier = _approved(bulletin_version, citizen_an, clerk_binh, specialist_chi, leader_dung)
    processing.task_complete(task=dossier.tasks.get(status=TaskStatus.ACTIVE), user=clerical_em)
    document = IssuedDocument.objects.get(dossier=dossier, kind="result")
    assert [s["username"] for s in document.signed_by] == ["dung", "em"]
    content = document.file.read()
    response = Client().post(
        "/api/v1/verifications",
        {"file": SimpleUploadedFile("kq.pdf", content, content_type="application/pdf")},
    )
    report = response.json()
    assert report["all_valid"] is True
    assert [s["field"] for s in report["signatures"] if s["kind"] == "signature"] == [
        "ChuKyLanhDao",
        "ChuKyCoQuan",
    ]
    assert report["issued_by_us"] is True
    assert report["issued_number"] == "01/GP-SVHTTDL"
    client = Client()
    client.force_login(citizen_an)
    assert client.get(f"/van-ban/ket-qua/{dossier.code}.pdf").status_code == 200


def test_a_failed_signature_leaves_the_dossier_approved_and_the_number_unused(
    signing, citizen_an, clerk_binh, specialist_chi, leader_dung, clerical_em, bulletin_version, frozen
) -> None:
    (signing / "em.key.pem").unlink()
    dossier = _approved(bulletin_version, citizen_an, clerk_binh, specialist_chi, leader_dung)
    with pytest.raises(ApplicationError, match="Ký số không thành công"):
        processing.task_complete(task=dossier.tasks.get(status=TaskStatus.ACTIVE), user=clerical_em)
    dossier.refresh_from_db()
    assert dossier.status == "approved"
    assert dossier.result_number == ""
    assert not IssuedDocument.objects.exists()
    assert not DocumentRegister.objects.filter(last_value__gt=0).exists()
