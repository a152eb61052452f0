"""The public verification page: upload a PDF, or open the page the QR code points to."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

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


def _annotation_added(content: bytes) -> bytes:
    """A FreeText annotation over the holder's name, as an incremental update after the last signature."""
    writer = IncrementalPdfFileWriter(io.BytesIO(content))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    annotation = writer.add_object(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Annot"),
                generic.NameObject("/Subtype"): generic.NameObject("/FreeText"),
                generic.NameObject("/Rect"): generic.ArrayObject(
                    [generic.FloatObject(x) for x in (100, 600, 400, 630)]
                ),
                generic.NameObject("/Contents"): generic.TextStringObject("Nguyen Van GIA MAO"),
                generic.NameObject("/DA"): generic.TextStringObject("/Helv 14 Tf 0 g"),
            }
        )
    )
    annotations = page.get("/Annots")
    if annotations is None:
        page[generic.NameObject("/Annots")] = generic.ArrayObject([annotation])
    else:
        annotations.get_object().append(annotation)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _content_rewritten(content: bytes) -> bytes:
    """The first page's content stream replaced (another holder's name), as an incremental update."""
    writer = IncrementalPdfFileWriter(io.BytesIO(content))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 14 Tf 72 700 Td (Nguyen Van GIA MAO) Tj ET")
    page[generic.NameObject("/Contents")] = writer.add_object(stream)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _dss_stripped(content: bytes) -> bytes:
    """Everything after the agency's signature cut off: its validation data and document time-stamp."""
    last = PdfFileReader(io.BytesIO(content)).embedded_regular_signatures[-1]
    byte_range = last.sig_object["/ByteRange"]
    return content[: byte_range[2] + byte_range[3]]


def _api(content: bytes) -> dict:  # type: ignore[type-arg]
    response = Client().post(
        "/api/v1/verifications", {"file": SimpleUploadedFile("kq.pdf", content, "application/pdf")}
    )
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


GREEN = "Tất cả chữ ký số hợp lệ, tài liệu không bị thay đổi sau khi ký"


@pytest.mark.parametrize(
    ("tamper", "what_changed"),
    [
        (_one_byte_changed, "Nội dung đã ký bị sửa"),
        (_annotation_added, "Thêm chú thích (FreeText) lên trang 1 sau khi ký"),
        (_content_rewritten, "Nội dung trang 1 bị thay đổi sau khi ký"),
    ],
    ids=["byte-flipped-in-signed-range", "incremental-annotation", "incremental-content-stream"],
)
def test_an_altered_copy_is_reported_modified_in_red_by_the_page_and_the_api(  # type: ignore[no-untyped-def]
    issued, tamper, what_changed
) -> None:
    altered = tamper(_content(issued))
    report = _api(altered)
    assert report["verdict"] == "modified"
    assert report["all_valid"] is False
    assert report["modified_after_signing"] is True
    assert report["changes"]
    assert report["issued_by_us"] is False

    page = _upload("/xac-minh/", altered)
    assert GREEN not in page
    assert '<p class="verdict verdict-bad"><strong>Tài liệu đã bị thay đổi sau khi ký.</strong></p>' in page
    assert what_changed in page
    assert "Đây đúng là bản gốc" not in page
    # On the QR page: the copy's red verdict comes first, no green banner above it.
    qr_page = _upload(f"/xac-minh/{issued.public_id}/", altered)
    assert qr_page.index("Bản của bạn KHÁC văn bản gốc") < qr_page.index("Bản gốc lưu tại hệ thống")
    assert GREEN not in qr_page[: qr_page.index("Bản gốc lưu tại hệ thống")]


def test_a_byte_flip_does_not_leave_the_signature_marked_valid(issued) -> None:  # type: ignore[no-untyped-def]
    report = _api(_one_byte_changed(_content(issued)))
    for signature in (s for s in report["signatures"] if s["kind"] == "signature"):
        assert signature["intact"] is False
        assert signature["valid"] is False
    page = _upload("/xac-minh/", _one_byte_changed(_content(issued)))
    assert "nội dung đã bị sửa sau khi ký" in page


def test_a_copy_whose_long_term_data_was_cut_off_says_so(issued) -> None:  # type: ignore[no-untyped-def]
    stripped = _dss_stripped(_content(issued))
    report = _api(stripped)
    levels = {s["field"]: s["pades_level"] for s in report["signatures"] if s["kind"] == "signature"}
    assert levels == {"ChuKyLanhDao": "B-LTA", "ChuKyCoQuan": "B-T"}
    assert report["long_term_data_missing"] == ["ChuKyCoQuan"]
    assert report["modified_after_signing"] is False
    assert report["issued_by_us"] is False
    page = _upload("/xac-minh/", stripped)
    assert "Dữ liệu xác thực dài hạn (danh sách thu hồi, dấu thời gian lưu trữ) không còn trong tệp" in page
    assert "B-T" in page


def test_the_original_is_reported_b_lta_and_readable(issued) -> None:  # type: ignore[no-untyped-def]
    report = _api(_content(issued))
    assert report["verdict"] == "valid"
    signatures = [s for s in report["signatures"] if s["kind"] == "signature"]
    assert [s["pades_level"] for s in signatures] == ["B-LTA", "B-LTA"]
    assert [s["signer"] for s in signatures] == ["Hoàng Văn Dũng", "Sở Văn hóa"]
    page = _upload("/xac-minh/", _content(issued))
    for raw in ("FORM_FILLING", "LTA_UPDATES", "ChuKyLanhDao", "ChuKyCoQuan", "Common Name:", "/ Yes"):
        assert raw not in page
    assert "Chữ ký số của người có thẩm quyền" in page
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", page)
    assert "Ký tiếp vào ô chữ ký còn trống" in page


def test_a_file_that_is_not_a_pdf_gets_a_clear_error() -> None:
    page = _upload("/xac-minh/", b"GIF89a not a pdf", name="anh.pdf")
    assert "Tệp không phải PDF" in page


def test_the_qr_page_shows_the_document_and_compares_a_copy(issued) -> None:  # type: ignore[no-untyped-def]
    url = f"/xac-minh/{issued.public_id}/"
    assert issued.verification_url().endswith(url)
    page = Client().get(url).content.decode()
    assert issued.number in page
    # Whose document it is, so that a reader can compare with the paper in hand.
    assert issued.dossier.code in page
    assert "Nguyễn Văn An" in page
    assert "********2345" in page
    assert "001090012345" not in page
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


def test_the_report_is_in_english_in_the_english_interface(issued) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.cookies["django_language"] = "en"
    response = client.post(
        "/xac-minh/", {"file": SimpleUploadedFile("kq.pdf", _content(issued), "application/pdf")}
    )
    page = response.content.decode()
    assert "All signatures are valid; the document was not changed after signing." in page
    assert "Signature of the competent official" in page
    assert "Tất cả chữ ký số hợp lệ" not in page
    assert "Chữ ký hợp lệ" not in page
