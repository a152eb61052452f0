"""The public verification page: upload a PDF, or open the page the QR code points to."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.dossiers import processing
from motcua.dossiers.models import TaskStatus
from motcua.signatures.models import IssuedDocument
from motcua.signatures.tests.test_results import _approved

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(signing, citizen_an, clerk_binh, specialist_chi, leader_dung, clerical_em, bulletin_version):  # type: ignore[no-untyped-def]
    dossier = _approved(bulletin_version, citizen_an, clerk_binh, specialist_chi, leader_dung)
    processing.task_complete(task=dossier.tasks.get(status=TaskStatus.ACTIVE), user=clerical_em)
    return IssuedDocument.objects.get(dossier=dossier, kind="result")


def _content(document: IssuedDocument) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def _upload(url: str, content: bytes, name: str = "ket-qua.pdf") -> str:
    response = Client().post(url, {"file": SimpleUploadedFile(name, content, "application/pdf")})
    assert response.status_code == 200
    return response.content.decode()


def test_the_original_is_reported_valid_and_ours(issued) -> None:  # type: ignore[no-untyped-def]
    page = _upload("/xac-minh/", _content(issued))
    assert "Tất cả chữ ký số hợp lệ" in page
    assert "Đây đúng là bản gốc do hệ thống phát hành" in page
    assert "Hoàng Văn Dũng" in page


def _one_byte_changed(content: bytes) -> bytes:
    """Change one letter of the title in the XMP metadata (signed, uncompressed): still a readable PDF."""
    changed = bytearray(content)
    position = changed.index(b"<dc:title>")
    position = changed.index(b"<rdf:li", position)
    position = changed.index(b">", position) + 1
    changed[position] = ord("X") if changed[position] != ord("X") else ord("Y")
    return bytes(changed)


def test_one_changed_byte_is_reported_as_a_change(issued) -> None:  # type: ignore[no-untyped-def]
    page = _upload("/xac-minh/", _one_byte_changed(_content(issued)))
    assert "Tất cả chữ ký số hợp lệ" not in page
    assert "Có chữ ký số không hợp lệ hoặc tài liệu đã bị thay đổi" in page
    assert "Đây đúng là bản gốc" not in page


def test_a_file_that_is_not_a_pdf_gets_a_clear_error() -> None:
    page = _upload("/xac-minh/", b"GIF89a not a pdf", name="anh.pdf")
    assert "Tệp không phải PDF" in page


def test_the_qr_page_shows_the_document_and_compares_a_copy(issued) -> None:  # type: ignore[no-untyped-def]
    url = f"/xac-minh/{issued.public_id}/"
    assert issued.verification_url().endswith(url)
    page = Client().get(url).content.decode()
    assert issued.number in page
    assert "Tất cả chữ ký số hợp lệ" in page
    assert "Bản của bạn trùng khớp với văn bản gốc" in _upload(url, _content(issued))
    assert "Bản của bạn KHÁC văn bản gốc" in _upload(url, _one_byte_changed(_content(issued)))


def test_a_damaged_file_gets_a_clear_error_not_a_server_error(issued) -> None:  # type: ignore[no-untyped-def]
    content = bytearray(_content(issued))
    position = content.index(b"stream") + 20  # inside a compressed stream: the file no longer parses
    content[position] = (content[position] + 1) % 256
    page = _upload("/xac-minh/", bytes(content))
    assert "Tệp PDF bị hỏng" in page


def test_an_unknown_or_guessed_id_is_not_found() -> None:
    assert Client().get("/xac-minh/00000000-0000-4000-8000-000000000000/").status_code == 404
    assert Client().get("/xac-minh/1/").status_code == 404


def test_the_page_is_translated_into_english() -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    page = client.get("/xac-minh/").content.decode()
    assert "Verify an electronic document" in page
    assert "PDF file to check" in page
