"""The pipeline on small generated scans: Vietnamese text comes back with its diacritics, pages are
deskewed and turned, a page already holding text is kept as it is, the output is PDF/A, fields carry their
page and confidence. OCR is slow, so one run serves the module; bad inputs fail before any OCR."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from motcua.digitization.pipeline import DigitizationError, Result, Source, digitize, sources_assemble
from motcua.testing.scans import DECISION_LINES, ID_CARD_LINES, image_bytes, scan_page, tiff_bytes

TYPST_PAGE = (
    '#set page(width: 150mm, height: 60mm)\n#set text(font: "Liberation Serif", size: 14pt)\n'
    "Bản gốc điện tử: giấy xác nhận cư trú số 27/XN-CAX"
)


def _text_pdf() -> bytes:
    import typst

    return typst.compile(TYPST_PAGE.encode(), pdf_standards=["a-2b"])  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def result() -> Result:
    decision = scan_page(DECISION_LINES, rotate=1.5, noise=0.002)
    card = scan_page(list(ID_CARD_LINES) + list(DECISION_LINES), rotate=180, noise=0.003)
    blank = Image.new("L", (1200, 800), 255)
    blank.info["dpi"] = (200, 200)
    sources = [
        Source("trang-1-2.tiff", tiff_bytes([decision, card])),
        Source("trang-3.png", image_bytes(blank)),
    ]
    return digitize(sources, jobs=2)


def test_vietnamese_words_come_back_with_their_diacritics(result: Result) -> None:
    page1 = result.pages[0].text
    for word in (
        "ỦY BAN NHÂN DÂN",
        "QUYẾT ĐỊNH",
        "Trần Thị Bích Ngọc",
        "Điện Bàn",
        "công nhận hộ kinh doanh",
    ):
        assert word in page1
    # The upside-down card was turned before OCR.
    assert "CĂN CƯỚC CÔNG DÂN" in result.pages[1].text
    assert result.pages[0].confidence is not None
    assert result.pages[0].confidence > 80


def test_a_born_digital_pdf_keeps_its_words_as_pdfa(tmp_path: Path) -> None:
    # Its embedded CID font cannot be vouched for as PDF/A by pikepdf, and Debian 12's Ghostscript may
    # not touch pages holding text: the fallback OCRs the page (docs/digitization.md) — text intact.
    result = digitize([Source("xac-nhan.pdf", _text_pdf())], jobs=1)
    assert "giấy xác nhận cư trú số 27/XN-CAX" in result.pages[0].text
    out = tmp_path / "out.pdf"
    out.write_bytes(result.pdf)
    meta = subprocess.run(["pdfinfo", "-meta", str(out)], capture_output=True, text=True, check=True).stdout
    assert "<pdfaid:part>2</pdfaid:part>" in meta


def test_a_page_without_text_gets_its_own_warning(result: Result) -> None:
    assert [p.page for p in result.pages if p.warning] == [3]
    assert "Trang 3 không đọc được chữ nào" in result.pages[2].warning
    assert "No text could be read on page 3" in result.pages[2].warning_en


def test_fields_with_page_and_confidence(result: Result) -> None:
    by_kind: dict[str, list[dict[str, object]]] = {}
    for field in result.fields:
        by_kind.setdefault(str(field["kind"]), []).append(field)
    assert {"value": "049188004321", "page": 1}.items() <= by_kind["id_number"][0].items()
    assert any(f["value"] == "Trần Thị Bích Ngọc" and f["page"] == 1 for f in by_kind["name"])
    assert any(f["value"] == "2026-11-20" for f in by_kind["date"])
    assert any(f["value"] == "15/QĐ-UBND" for f in by_kind["document_number"])
    card = by_kind["id_card"][0]
    assert (card["id_number"], card["birth_date"], card["page"]) == ("049088001234", "1988-03-15", 2)
    assert "VĂN AN" in str(card["full_name"])
    assert all(isinstance(f["confidence"], float) for f in by_kind["id_number"])


def test_output_is_pdfa_with_a_text_layer(result: Result, tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    out.write_bytes(result.pdf)
    meta = subprocess.run(["pdfinfo", "-meta", str(out)], capture_output=True, text=True, check=True).stdout
    assert "<pdfaid:part>2</pdfaid:part>" in meta
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in meta
    with pikepdf.open(io.BytesIO(result.pdf)) as pdf:
        assert len(pdf.pages) == 3
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Bích Ngọc" in text


def _encrypted_pdf() -> bytes:
    buffer = io.BytesIO()
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(buffer, encryption=pikepdf.Encryption(owner="o", user="u"))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.pdf", b"", "rỗng"),
        ("broken.pdf", b"%PDF-1.7\n garbage", "bị hỏng"),
        ("secret.pdf", _encrypted_pdf(), "mã hóa"),
        ("tiny.png", image_bytes(scan_page(["a"], width_mm=20, height_mm=10, dpi=100)), "quá nhỏ để đọc"),
        ("notes.txt", b"hello", "không phải PDF, JPEG, PNG hoặc TIFF"),
    ],
)
def test_bad_input_is_refused_before_any_work(name: str, data: bytes, message: str, tmp_path: Path) -> None:
    with pytest.raises(DigitizationError) as caught:
        sources_assemble([Source(name, data)], tmp_path / "in.pdf")
    assert message in caught.value.message
    assert caught.value.message_en
    assert caught.value.message_en != caught.value.message
    assert not (tmp_path / "in.pdf").exists()


def test_an_oversized_file_is_refused(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.MOTCUA_DIGITIZATION_MAX_BYTES = 1000
    with pytest.raises(DigitizationError, match="vượt quá"):
        sources_assemble([Source("big.png", image_bytes(scan_page(["Trang dài"])))], tmp_path / "in.pdf")
