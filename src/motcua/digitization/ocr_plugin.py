"""The OCRmyPDF plugin of the pipeline: Tesseract as OCRmyPDF runs it, plus two observers.

- Each page's hOCR (words with their confidence) is copied to the folder named by the environment variable
  ``MOTCUA_OCR_HOCR_DIR`` (set by ``pipeline.ocr_run``; page workers may be other processes, which inherit
  the environment), so fields can carry the OCR confidence without running Tesseract a second time.
- The "OCR" progress is reported page by page to the callback ``pipeline.ocr_run`` installs (OCRmyPDF holds
  progress bars in the main process and thread)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ocrmypdf import hookimpl
from ocrmypdf.builtin_plugins.tesseract_ocr import TesseractOcrEngine

HOCR_DIR_ENV = "MOTCUA_OCR_HOCR_DIR"

# Called with the number of pages OCR'd so far and the total.
progress_callback: Callable[[int, int], None] | None = None


class CapturingTesseract(TesseractOcrEngine):
    @staticmethod
    def generate_hocr(input_file: Path, output_hocr: Path, output_text: Path, options: Any) -> None:
        TesseractOcrEngine.generate_hocr(input_file, output_hocr, output_text, options)
        target = os.environ.get(HOCR_DIR_ENV)
        if target:
            shutil.copyfile(output_hocr, Path(target) / Path(output_hocr).name)


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
