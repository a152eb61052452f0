"""A paper result brought by the citizen, digitised and certified by the clerk as an electronic copy
from the original: the PDF/A signed with the clerk's own key (signatures app), verifiable."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from django.core.files.base import ContentFile

from motcua.core.errors import ConflictError, PermissionDeniedError
from motcua.digitization import services
from motcua.digitization.models import DigitizationJob, JobPurpose, JobState
from motcua.signatures.pki import pki_demo_build, pki_write
from motcua.signatures.verification import pdf_verify


def _pdf() -> bytes:
    buffer = io.BytesIO()
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def clerk_pki(frozen, settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    pki_write(pki_demo_build(people={"binh": ("Lê Thị Bình", "Trung tâm Phục vụ hành chính công")}), tmp_path)
    settings.MOTCUA_PKI_DIR = str(tmp_path)
    return tmp_path


@pytest.mark.django_db
def test_clerk_certifies_a_digitised_paper_result(  # type: ignore[no-untyped-def]
    clerk_binh, specialist_chi, clerk_pki, frozen
) -> None:
    job = DigitizationJob(purpose=JobPurpose.CERTIFIED_COPY, state=JobState.DONE, created_by=clerk_binh)
    job.output.save("giay-phep-2019.pdf", ContentFile(_pdf()), save=False)
    job.save()
    with pytest.raises(PermissionDeniedError):
        services.certified_copy_issue(job=job, clerk=specialist_chi)
    job = services.certified_copy_issue(job=job, clerk=clerk_binh)
    assert job.certified_at is not None
    assert job.certified_by == clerk_binh
    signed = job.certified_output.read()
    report = pdf_verify(
        pdf=signed,
        trust_roots=[clerk_pki / "root.crt.pem"],
        intermediates=[clerk_pki / "issuing.crt.pem"],
    )
    assert report["all_valid"], report
    assert "Lê Thị Bình" in str(report["signatures"][0])
    with pytest.raises(ConflictError):
        services.certified_copy_issue(job=job, clerk=clerk_binh)
