"""Deskew and orientation without OCRmyPDF's costly passes (straighten.py): the skew measured on a small
copy is right to a fraction of a degree, a scanned page is drawn straight without touching its pixels, the
OCR image taken from the scan matches what a PDF renderer draws, and a page is only questioned — and only
turned — when its reading says so."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import img2pdf
import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops, ImageStat

from motcua.digitization.pipeline import Source, digitize, pages_straighten
from motcua.digitization.straighten import page_looks_turned, reading_quality, scan_page_raster, skew_angle
from motcua.testing.scans import DECISION_LINES, image_bytes, scan_page

LINES = list(DECISION_LINES) * 3


def _scan_pdf(path: Path, *, rotate: float, dpi: int = 150) -> Path:
    page = scan_page(LINES, dpi=dpi, height_mm=297, rotate=rotate, noise=0.001)
    path.write_bytes(img2pdf.convert(image_bytes(page, "JPEG", quality=85)))
    return path


@pytest.mark.parametrize("rotate", [-3.0, -0.6, 0.8, 2.5])
def test_the_skew_is_measured_to_a_fraction_of_a_degree(rotate: float) -> None:
    page = scan_page(LINES, dpi=150, height_mm=297, rotate=rotate, noise=0.001)
    # The correction turns the page back: the opposite of how it was turned.
    assert skew_angle(page) == pytest.approx(-rotate, abs=0.2)


def test_a_blank_page_has_no_skew() -> None:
    assert skew_angle(Image.new("L", (1200, 1700), 255)) == 0.0


def _rendered(pdf: Path, dpi: int) -> Image.Image:
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile", str(pdf), str(pdf)], check=True
    )
    return Image.open(f"{pdf}.png").convert("L")


def test_a_scanned_page_is_drawn_straight_with_its_pixels_untouched(tmp_path: Path) -> None:
    pdf = _scan_pdf(tmp_path / "scan.pdf", rotate=2.0)
    with pikepdf.open(pdf) as before:
        (image,) = before.pages[0].obj.Resources.XObject.values()
        original_pixels = bytes(image.read_raw_bytes())
    applied = pages_straighten(pdf, jobs=2)
    assert applied[1] == pytest.approx(-2.0, abs=0.2)
    # What a reader sees is straight now...
    assert abs(skew_angle(_rendered(pdf, 100))) <= 0.2
    # ...and the scan inside is the very same JPEG.
    with pikepdf.open(pdf) as after:
        (image,) = after.pages[0].obj.Resources.XObject.values()
        assert bytes(image.read_raw_bytes()) == original_pixels


def test_a_page_holding_text_is_not_touched(tmp_path: Path) -> None:
    import typst

    pdf = tmp_path / "text.pdf"
    pdf.write_bytes(
        typst.compile("#set page(width: 150mm, height: 60mm)\n#rotate(3deg)[Quyết định]".encode())
    )
    content = pdf.read_bytes()
    assert pages_straighten(pdf, jobs=1) == {}
    assert pdf.read_bytes() == content
    assert scan_page_raster(pdf, 1, "pnggray", 100, 100) is None


@pytest.mark.parametrize("rotate", [0.0, 2.0])
def test_the_ocr_image_taken_from_the_scan_matches_what_a_renderer_draws(
    rotate: float, tmp_path: Path
) -> None:
    pdf = _scan_pdf(tmp_path / "scan.pdf", rotate=rotate)
    pages_straighten(pdf, jobs=1)
    ours = scan_page_raster(pdf, 1, "pnggray", 150, 150)
    assert ours is not None
    document = pdfium.PdfDocument(str(pdf))
    theirs = document[0].render(scale=150 / 72, grayscale=True).to_pil().convert("L")
    document.close()
    assert abs(ours.width - theirs.width) <= 1
    assert abs(ours.height - theirs.height) <= 1
    theirs = theirs.crop((0, 0, *ours.size))

    def far_apart(a: Image.Image, b: Image.Image) -> float:
        """The share of pixels where one image has ink and the other has none."""
        apart = ImageChops.difference(a, b).point(lambda v: 255 if v > 128 else 0)
        return float(ImageStat.Stat(apart).mean[0]) / 255

    # Renderers may round the page edge differently by a pixel; beyond that the geometry must agree. Ink
    # covers about 2 % of such a page: half a degree or 3 pixels off put about 2 % of pixels apart.
    closest = min(
        far_apart(ImageChops.offset(ours, dx, dy), theirs) for dx in (-1, 0, 1) for dy in (-1, 0, 1)
    )
    assert closest < 0.002


def _hocr(lines: list[tuple[tuple[int, int, int, int], list[int]]]) -> str:
    out = []
    for (x0, y0, x1, y1), confidences in lines:
        words = "".join(
            f"<span class='ocrx_word' title='bbox 0 0 1 1; x_wconf {c}'>chữ</span>" for c in confidences
        )
        out.append(f"<span class='ocr_line' title=\"bbox {x0} {y0} {x1} {y1}; baseline 0 0\">{words}</span>")
    return "".join(out)


def test_only_a_page_that_reads_as_turned_is_questioned() -> None:
    from motcua.digitization.hocr import hocr_words

    upright = _hocr([((100, 100, 1500, 140), [96, 95, 97]), ((100, 160, 1500, 200), [94, 96, 95])])
    upside_down = _hocr([((100, 100, 1500, 140), [41, 38, 52]), ((100, 160, 1500, 200), [45, 40, 47])])
    sideways = _hocr([((100, 100, 140, 1500), [95, 96, 94]), ((160, 100, 200, 1500), [96, 95, 93])])
    almost_empty = _hocr([((100, 100, 300, 140), [20, 30])])
    assert not page_looks_turned(hocr_words(upright), upright)
    assert page_looks_turned(hocr_words(upside_down), upside_down)
    assert page_looks_turned(hocr_words(sideways), sideways)
    assert not page_looks_turned(hocr_words(almost_empty), almost_empty)
    # Read upright, a sideways page is better than read standing up, however confident that was.
    assert reading_quality(hocr_words(upright), upright) > reading_quality(hocr_words(sideways), sideways)


@pytest.mark.parametrize("turned", [90, 270])
def test_a_sideways_page_is_turned_upright_and_read(turned: int, tmp_path: Path) -> None:
    page = scan_page(DECISION_LINES, rotate=turned, noise=0.002)
    result = digitize([Source("side.png", image_bytes(page))], jobs=2)
    assert "QUYẾT ĐỊNH" in result.pages[0].text
    assert result.pages[0].confidence is not None
    assert result.pages[0].confidence > 80
    with pikepdf.open(io.BytesIO(result.pdf)) as pdf:
        # Shown upright: the scan, turned counter-clockwise, is displayed turned back clockwise.
        assert int(pdf.pages[0].obj.get("/Rotate", 0)) == turned
