from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.test import Client

from motcua.dossiers import processing, services
from motcua.dossiers.models import TaskStatus
from motcua.dossiers.tests.conftest import VN, pdf
from motcua.signatures.forms import receipt_data
from motcua.signatures.numbering import document_number_allocate
from motcua.signatures.render import document_render

pytestmark = pytest.mark.django_db


def _received(version, citizen, clerk):  # type: ignore[no-untyped-def]
    components = list(version.components.order_by("order"))
    dossier = services.dossier_submit(
        data=services.SubmissionData(
            version=version,
            applicant=services.ApplicantData(
                name="Nguyễn Văn An #*_$<", id_number="001090012345", phone="0912345678"
            ),
            files={components[0].pk: [pdf()], components[1].pk: [pdf("b.pdf")]},
        ),
        user=citizen,
    )
    return services.dossier_receive(dossier=dossier, clerk=clerk)


def test_numbers_follow_the_register_and_restart_each_year(culture_department) -> None:
    assert (
        document_number_allocate(agency=culture_department, year=2025, document_type="GP") == "01/GP-SVHTTDL"
    )
    assert (
        document_number_allocate(agency=culture_department, year=2025, document_type="GP") == "02/GP-SVHTTDL"
    )
    assert (
        document_number_allocate(agency=culture_department, year=2025, document_type="QĐ") == "01/QĐ-SVHTTDL"
    )
    assert (
        document_number_allocate(agency=culture_department, year=2026, document_type="GP") == "01/GP-SVHTTDL"
    )


def test_issuing_without_a_number_takes_the_next_one_from_the_register(
    citizen_an, clerk_binh, specialist_chi, leader_dung, clerical_em, bulletin_version, frozen
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    for user in (specialist_chi, leader_dung, clerical_em):
        processing.task_complete(
            task=dossier.tasks.get(status=TaskStatus.ACTIVE, is_consultation=False), user=user
        )
    dossier.refresh_from_db()
    assert dossier.status == "issued"
    assert dossier.result_number == "01/GP-SVHTTDL"


def test_the_receipt_is_a_pdf_a_with_the_data_printed_literally(
    citizen_an, clerk_binh, bulletin_version, frozen, tmp_path
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    data = receipt_data(dossier)
    document = document_render(template="receipt", data=data)
    assert document.startswith(b"%PDF-")
    assert b"pdfaid" in document  # PDF/A identification in the XMP metadata
    path = tmp_path / "receipt.pdf"
    path.write_bytes(document)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Nguyễn Văn An #*_$<" in text
    assert dossier.code in text
    assert "10/03/2025" in text  # the appointment (5 working days after Monday 03/03/2025)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    # Times New Roman where the host has it, Liberation Serif otherwise (test_forms covers both).
    from motcua.signatures.render import document_font

    assert document_font().family.replace(" ", "") in fonts


def test_only_the_applicant_and_authorised_staff_can_download_the_receipt(
    citizen_an, citizen_other, clerk_binh, clerk_other_agency, bulletin_version, frozen
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    url = f"/van-ban/giay-hen/{dossier.code}.pdf"
    for user, status in (
        (citizen_an, 200),
        (clerk_binh, 200),
        (citizen_other, 404),
        (clerk_other_agency, 404),
    ):
        client = Client()
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status, user
    assert response.status_code == 404
    client = Client()
    client.force_login(citizen_an)
    assert client.get(url)["Content-Type"] == "application/pdf"
    assert dt.date(2025, 3, 3) == dossier.received_at.astimezone(VN).date()


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_never_duplicates_or_skips_a_document_number(culture_department) -> None:
    """8 threads × 20 numbers from one register: 1..160, each once (PostgreSQL; SQLite serialises)."""
    import threading

    from django.db import connection, transaction

    from motcua.core.testing import run_concurrently

    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL (SQLite serialises writers)")
    numbers: list[str] = []
    lock = threading.Lock()

    def worker(_index: int) -> None:
        for _ in range(20):
            with transaction.atomic():
                number = document_number_allocate(agency=culture_department, year=2026, document_type="GP")
            with lock:
                numbers.append(number)

    errors = run_concurrently(worker, threads=8)
    assert not errors, errors
    assert sorted(int(n.split("/", 1)[0]) for n in numbers) == list(range(1, 161))
