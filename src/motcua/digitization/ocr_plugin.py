"""The OCRmyPDF plugin of the pipeline: Tesseract as OCRmyPDF runs it, plus two observers.

- Each page's hOCR (words with their confidence) is copied to the folder named by the environment variable
  ``MOTCUA_OCR_HOCR_DIR`` (set by ``pipeline.ocr_run``; page workers may be other processes, which inherit
  the environment), so fields can carry the OCR confidence without running Tesseract a second time;
  beside it, ``<page>.osd`` when the page looked turned and Tesseract's orientation was asked.
- A scanned page's OCR image is taken from the scan itself rather than rendered (``rasterize_pdf_page``).
- The "OCR" progress is reported page by page to the callback ``pipeline.ocr_run`` installs (OCRmyPDF holds
  progress bars in the main process and thread)."""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ocrmypdf import hookimpl
from ocrmypdf.builtin_plugins.tesseract_ocr import TesseractOcrEngine

from motcua.digitization.hocr import hocr_words
from motcua.digitization.straighten import page_looks_turned, scan_page_raster

logger = logging.getLogger(__name__)

HOCR_DIR_ENV = "MOTCUA_OCR_HOCR_DIR"

# Called with the number of pages OCR'd so far and the total.
progress_callback: Callable[[int, int], None] | None = None


class CapturingTesseract(TesseractOcrEngine):
    @staticmethod
    def generate_hocr(input_file: Path, output_hocr: Path, output_text: Path, options: Any) -> None:
        TesseractOcrEngine.generate_hocr(input_file, output_hocr, output_text, options)
        target = os.environ.get(HOCR_DIR_ENV)
        if not target:
            return
        name = Path(output_hocr).name
        shutil.copyfile(output_hocr, Path(target) / name)
        # Orientation is questioned only for a page whose OCR looks turned (straighten.py): Tesseract's
        # orientation detection runs here, in the page's worker, on the image just read.
        hocr = Path(output_hocr).read_text("utf-8", "replace")
        if page_looks_turned(hocr_words(hocr), hocr):
            found = TesseractOcrEngine.get_orientation(input_file, options)
            record = {"angle": int(found.angle) % 360, "confidence": float(found.confidence)}
            (Path(target) / name).with_suffix(".osd").write_text(json.dumps(record))


@hookimpl
def get_ocr_engine(options: Any) -> TesseractOcrEngine | None:
    if options is not None and getattr(options, "ocr_engine", "auto") not in ("auto", "tesseract"):
        return None
    return CapturingTesseract()


class JobProgress:
    """OCRmyPDF's progress bar protocol, writing nothing: it forwards the pages of the OCR step."""

    def __init__(self, *, total: float | None = None, desc: str | None = None, **kwargs: Any) -> None:
        self.total = int(total or 0)
        self.desc = desc or ""
        self.done = 0.0

    def __enter__(self) -> JobProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: float = 1, *, completed: float | None = None) -> None:
        self.done = completed if completed is not None else self.done + n
        if self.desc in ("OCR", "Image processing") and progress_callback is not None:
            progress_callback(int(self.done), self.total)


@hookimpl
def get_progressbar_class() -> type[JobProgress]:
    return JobProgress


@hookimpl
def rasterize_pdf_page(
    input_file: Path,
    output_file: Path,
    raster_device: Any,
    raster_dpi: Any,
    pageno: int,
    page_dpi: Any,
    rotation: int | None,
    filter_vector: bool,
    stop_on_soft_error: bool,
    options: Any,
    use_cropbox: bool,
) -> Path | None:
    """A scanned page's OCR image straight from its scan (``straighten.scan_page_raster``); any other
    page — or any doubt — goes to OCRmyPDF's own renderer (returning None hands it on)."""
    if rotation or filter_vector or use_cropbox:
        return None
    if options is not None and getattr(options, "rasterizer", "auto") == "ghostscript":
        return None
    device = str(getattr(raster_device, "value", raster_device))
    try:
        raster = scan_page_raster(Path(input_file), pageno, device, float(raster_dpi.x), float(raster_dpi.y))
    except Exception:  # a page this shortcut misreads must still be OCR'd: the renderer will do it
        logger.warning("page %s: drawn by the PDF renderer (scan shortcut failed)", pageno, exc_info=True)
        return None
    if raster is None:
        return None
    dpi = page_dpi or raster_dpi
    # compress_level 1: the file lives a second, between here and Tesseract.
    raster.save(output_file, "PNG", dpi=(float(dpi.x), float(dpi.y)), compress_level=1)
    return Path(output_file)
