"""Signed results in a real browser: the leader reviews the signing queue with a preview and signs a chosen
set with one authorisation; the clerical officer issues; anyone follows the QR code to the verification
page and checks a copy. Screenshots go to var/test-screenshots/ (40-…)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_dossier_journey import PDF, PROCEDURE, Person, _task_ready

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_pki(settings: Any, tmp_path: Path) -> Path:
    from motcua.signatures.pki import pki_demo_build, pki_write

    directory = tmp_path / "pki"
    pki_write(
        pki_demo_build(
            people={
                "dung": ("Hoàng Văn Dũng", "Sở Văn hóa"),
                "em": ("Sở Văn hóa, Thể thao và Du lịch", "Văn thư"),
            }
        ),
        directory,
    )
    settings.MOTCUA_PKI_DIR = str(directory)
    settings.MOTCUA_SIGN_RESULTS = True
    settings.MEDIA_ROOT = tmp_path / "media"
    return directory


def _waiting_for_the_leader(count: int) -> list[str]:
    """Dossiers submitted, received and forwarded by the specialist (the journey test walks these steps
    in the browser already)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from motcua.accounts.models import User
    from motcua.catalog.models import ProcedureVersion
    from motcua.dossiers import processing, services
    from motcua.dossiers.models import TaskStatus

    version = ProcedureVersion.objects.filter(procedure__local_code=PROCEDURE).order_by("-number").first()
    assert version is not None
    citizen, clerk, specialist = (User.objects.get(username=u) for u in ("an", "binh", "chi"))
    codes = []
    for index in range(count):
        files = {
            c.pk: [SimpleUploadedFile(f"tep-{index}-{c.pk}.pdf", PDF, "application/pdf")]
            for c in version.components.filter(required=True)
        }
        dossier = services.dossier_submit(
            data=services.SubmissionData(
                version=version,
                summary=f"Bản tin Thông tin Minh Sơn số {index + 1}",
                applicant=services.ApplicantData(
                    name="Nguyễn Văn An", id_number="001090012345", phone="0912345678"
                ),
                files=files,
            ),
            user=citizen,
        )
        dossier = services.dossier_receive(dossier=dossier, clerk=clerk)
        processing.task_complete(
            task=dossier.tasks.get(status=TaskStatus.ACTIVE, is_consultation=False), user=specialist
        )
        codes.append(dossier.code or "")
    return codes


def test_batch_signing_issue_and_public_verification(  # type: ignore[no-untyped-def]
    live_server,
    province_data,
    demo_pki,
    browser,
    tmp_path,
) -> None:
    base = live_server.url
    codes = _waiting_for_the_leader(2)

    dung = Person(browser, base, "dung", tmp_path)
    page = dung.go("/mot-cua/ky-so/")
    assert all(code in page.content() for code in codes)
    page.locator("iframe.preview-frame").wait_for()
    dung.shot("40-leader-signing-queue")
    page.get_by_label(codes[0]).check()
    page.get_by_label("Mật khẩu").fill("motcua-demo-2026")
    page.get_by_role("button", name="Phê duyệt và ký số các hồ sơ đã chọn").click()
    page.get_by_text("Đã phê duyệt và ký 1 hồ sơ").wait_for()
    assert codes[1] in page.content()  # the other one still waits
    dung.shot("41-leader-signed")

    em = Person(browser, base, "em", tmp_path)
    _task_ready(em, codes[0], "Vào số, phát hành")
    em.act("Vào số, phát hành")
    assert "Đã xử lý xong" in em.page.content()

    from motcua.signatures.models import IssuedDocument

    document = IssuedDocument.objects.get(dossier__code=codes[0], kind="result")
    assert [s["username"] for s in document.signed_by] == ["dung", "em"]
    copy = tmp_path / "ket-qua.pdf"
    with document.file.open("rb") as handle:
        copy.write_bytes(handle.read())

    public = Person(browser, base, "lan", tmp_path)
    page = public.go(f"/xac-minh/{document.public_id}/")
    assert "Tất cả chữ ký số hợp lệ" in page.content()
    assert document.number in page.content()
    page.locator("input[type=file]").set_input_files(str(copy))
    page.get_by_role("button", name="Đối chiếu").click()
    page.get_by_text("Bản của bạn trùng khớp với văn bản gốc").wait_for()
    public.shot("42-public-verification")
    for person in (dung, em, public):
        assert not person.errors, person.errors
