"""The digitisation pipeline, a chain of steps with one contract each (paperless-ngx's consumer shape):

1. ``sources_assemble``: the clerk's files (PDF, JPEG, PNG, TIFF with one or more pages), in their order,
   become one PDF — images losslessly (img2pdf), at their own resolution or 300 dpi when they carry none;
   an image too small to read, an encrypted/corrupt/empty PDF or too many pages is refused here.
2. ``ocr_run``: scanned pages are straightened (``straighten``: the skew measured on a small copy, the
   image drawn turned back), then OCRmyPDF with Tesseract's ``vie`` model: skip pages already holding
   text, PDF/A-2b out. A page whose OCR looks upside down or sideways has its orientation detected and is
   turned and read again. Page progress and each page's hOCR come back through ``ocr_plugin``.
3. ``pages_read``: the text of every output page (``pdftotext``) and the words with their confidence;
   a page that yields no text gets a warning of its own.
4. ``fields.document_fields``: ID numbers, names, dates, document numbers for the clerk to confirm.

Everything happens in a temporary folder removed at the end; a failure raises ``DigitizationError``
(Vietnamese message, English beside it) and leaves nothing behind. Pure of the database: ``services``
stores the result, the bulk command prints it."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ApplicationError
from motcua.digitization.fields import Word, document_fields
from motcua.digitization.hocr import hocr_words

logger = logging.getLogger(__name__)

PLUGIN = "motcua.digitization.ocr_plugin"
TIFF_MAGIC = (b"II*\x00", b"MM\x00*")
# Below this many pixels on the short side a page cannot be read (about 2.5 cm at 200 dpi).
MIN_IMAGE_SIDE_PX = 200
DEFAULT_DPI = 300

# The content types the pipeline takes, by magic number.
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (TIFF_MAGIC[0], "image/tiff"),
    (TIFF_MAGIC[1], "image/tiff"),
)


class DigitizationError(ApplicationError):
    """A file the pipeline cannot digitise; ``message`` in Vietnamese, ``message_en`` in English."""

    def __init__(
        self, message: Any, params: dict[str, Any] | None = None, extra: dict[str, Any] | None = None
    ) -> None:
        # ``message`` is lazy and formatted in each language here (formatting first would fix one).
        with translation.override("vi"):
            vietnamese = str(message) % params if params else str(message)
        with translation.override("en"):
            english = str(message) % params if params else str(message)
        super().__init__(vietnamese, extra)
        self.message_en = english


@dataclass(frozen=True)
class Source:
    name: str
    data: bytes


@dataclass
class PageResult:
    page: int
    text: str
    words: list[Word] = field(default_factory=list)
    ocr: bool = True  # False: the page already held text and was not OCR'd
    warning: str = ""
    warning_en: str = ""

    @property
    def confidence(self) -> float | None:
        if not self.words:
            return None
        return round(sum(c for _, c in self.words) / len(self.words), 1)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "page": self.page,
            "text": self.text,
            "words": len(self.words) if self.ocr else len(self.text.split()),
            "confidence": self.confidence,
            "ocr": self.ocr,
        }
        if self.warning:
            data["warning"] = self.warning
            data["warning_en"] = self.warning_en
        return data


@dataclass
class Result:
    pdf: bytes
    pages: list[PageResult]
    fields: list[dict[str, Any]]
    seconds: float

    @property
    def text(self) -> str:
        return "\n\f".join(p.text for p in self.pages)


def max_pages() -> int:
    return int(getattr(settings, "MOTCUA_DIGITIZATION_MAX_PAGES", 200))


def max_bytes() -> int:
    return int(getattr(settings, "MOTCUA_DIGITIZATION_MAX_BYTES", 50 * 1024 * 1024))


def content_type_of(data: bytes) -> str | None:
    return next((ct for magic, ct in MAGIC if data.startswith(magic)), None)


def source_check(source: Source) -> str:
    """The content type of ``source``, or the reason it cannot be digitised (before any work is done)."""
    if not source.data:
        raise DigitizationError(_("Tệp %(name)s rỗng."), {"name": source.name}, {"file": source.name})
    if len(source.data) > max_bytes():
        raise DigitizationError(
            _("Tệp %(name)s vượt quá %(mb)s MB."),
            {"name": source.name, "mb": max_bytes() // (1024 * 1024)},
            {"file": source.name, "size": len(source.data)},
        )
    content_type = content_type_of(source.data)
    if content_type is None:
        raise DigitizationError(
            _("Tệp %(name)s không phải PDF, JPEG, PNG hoặc TIFF."),
            {"name": source.name},
            {"file": source.name},
        )
    return content_type


# --- 1. Assemble ---------------------------------------------------------------------------------------


def _pdf_pages(source: Source) -> Any:
    import pikepdf

    try:
        pdf = pikepdf.open(io.BytesIO(source.data))
    except pikepdf.PasswordError as exc:
        raise DigitizationError(
            _("Tệp %(name)s có mật khẩu hoặc được mã hóa: không số hóa được."),
            {"name": source.name},
            {"file": source.name},
        ) from exc
    except Exception as exc:  # qpdf raises PdfError and, for some damage, others
        raise DigitizationError(
            _("Tệp PDF %(name)s bị hỏng hoặc không đọc được."), {"name": source.name}, {"file": source.name}
        ) from exc
    if pdf.is_encrypted:
        pdf.close()
        raise DigitizationError(
            _("Tệp %(name)s có mật khẩu hoặc được mã hóa: không số hóa được."),
            {"name": source.name},
            {"file": source.name},
        )
    if len(pdf.pages) == 0:
        pdf.close()
        raise DigitizationError(_("Tệp PDF %(name)s không có trang nào."), {"name": source.name})
    return pdf


def _image_pdf(source: Source, *, first_page: int) -> bytes:
    """Every frame of the image as PDF pages, losslessly where the format allows (img2pdf)."""
    import img2pdf
    from PIL import Image, ImageSequence

    try:
        image = Image.open(io.BytesIO(source.data))
        image.load()
    except Exception as exc:  # Pillow raises many types (and DecompressionBombError) for bad images
        raise DigitizationError(
            _("Tệp ảnh %(name)s bị hỏng hoặc không đọc được."), {"name": source.name}, {"file": source.name}
        ) from exc
    frames: list[bytes] = []
    dpis: list[tuple[float, float]] = []
    with image:
        for index, frame in enumerate(ImageSequence.Iterator(image)):
            width, height = frame.size
            if min(width, height) < MIN_IMAGE_SIDE_PX:
                raise DigitizationError(
                    _(
                        "Trang %(page)s (%(name)s) quá nhỏ để đọc: %(w)s×%(h)s điểm ảnh; "
                        "cần quét ở độ phân giải cao hơn (ít nhất 200 dpi)."
                    ),
                    {"page": first_page + index, "name": source.name, "w": width, "h": height},
                    {"file": source.name, "page": first_page + index},
                )
            dpi = frame.info.get("dpi") or (DEFAULT_DPI, DEFAULT_DPI)
            if min(dpi) < 72:  # no resolution recorded (0, 1) or nonsense: assume a 300 dpi scan
                dpi = (DEFAULT_DPI, DEFAULT_DPI)
            dpis.append((float(dpi[0]), float(dpi[1])))
            single = image.format in ("JPEG", "PNG") and getattr(image, "n_frames", 1) == 1
            if single and frame.mode in ("L", "RGB", "1", "P") and "transparency" not in frame.info:
                frames.append(source.data)
            else:
                buffer = io.BytesIO()
                converted = frame.convert("RGB" if frame.mode not in ("L", "1") else frame.mode)
                converted.save(buffer, "PNG", dpi=tuple(round(d) for d in dpi))
                frames.append(buffer.getvalue())
    pdfs = []
    for data, dpi in zip(frames, dpis, strict=True):
        layout = img2pdf.get_fixed_dpi_layout_fun(dpi)
        pdfs.append(img2pdf.convert(data, layout_fun=layout, rotation=img2pdf.Rotation.ifvalid))
    if len(pdfs) == 1:
        return bytes(pdfs[0])
    import pikepdf

    merged = pikepdf.new()
    for data in pdfs:
        merged.pages.extend(pikepdf.open(io.BytesIO(data)).pages)
    out = io.BytesIO()
    merged.save(out)
    return out.getvalue()


def sources_assemble(sources: Sequence[Source], dest: Path) -> int:
    """Write one PDF with every page of ``sources`` in order; returns the number of pages."""
    import pikepdf

    if not sources:
        raise DigitizationError(_("Chưa có tệp nào để số hóa."))
    merged = pikepdf.new()
    opened = []
    for source in sources:
        content_type = source_check(source)
        if content_type == "application/pdf":
            pdf = _pdf_pages(source)
        else:
            pdf = pikepdf.open(io.BytesIO(_image_pdf(source, first_page=len(merged.pages) + 1)))
        opened.append(pdf)
        merged.pages.extend(pdf.pages)
        if len(merged.pages) > max_pages():
            raise DigitizationError(
                _("Quá %(n)s trang trong một lần số hóa."), {"n": max_pages()}, {"pages": len(merged.pages)}
            )
    merged.save(dest)
    for pdf in opened:
        pdf.close()
    return len(merged.pages)


def pages_straighten(pdf_path: Path, *, jobs: int) -> dict[int, float]:
    """Straighten the scanned pages of the assembled PDF in place (``straighten``); the skew of each
    page is measured in a pool of ``jobs`` threads (decoding and resizing release the GIL)."""
    from concurrent.futures import ThreadPoolExecutor

    import pikepdf

    from motcua.digitization.straighten import page_turn, scan_source, source_skew

    with pikepdf.open(pdf_path, allow_overwriting_input=True) as pdf:
        pages = list(pdf.pages)
        sources = [scan_source(page) for page in pages]
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            angles = list(pool.map(source_skew, sources))
        applied = {n: a for n, (page, a) in enumerate(zip(pages, angles, strict=True), start=1) if a}
        for number, angle in applied.items():
            page_turn(pdf, pages[number - 1], angle)
        if applied:
            pdf.save(pdf_path)
    return applied


# --- 2. OCR --------------------------------------------------------------------------------------------


def ocr_jobs() -> int:
    return int(getattr(settings, "MOTCUA_DIGITIZATION_JOBS", 0)) or (os.cpu_count() or 1)


def _ocrmypdf(src: Path, dest: Path, hocr_dir: Path, options: dict[str, Any]) -> None:
    import ocrmypdf
    from ocrmypdf import exceptions as ocr_exceptions

    try:
        try:
            # Pages that already hold text keep it. Debian 12's Ghostscript 10.0.0 corrupts such pages
            # (OCRmyPDF refuses it with skip_text), so pikepdf's own PDF/A conversion makes the PDF/A.
            code = ocrmypdf.ocr(src, dest, skip_text=True, pdfa_backend="internal", **options)
        except ocr_exceptions.PdfaConversionFailedError:
            # A born-digital page pikepdf cannot vouch for as PDF/A (fonts, transparency): every page is
            # rasterised and OCR'd, and Ghostscript writes the PDF/A (docs/digitization.md).
            logger.warning("PDF/A by pikepdf refused for %s: OCR of every page, Ghostscript PDF/A", src.name)
            for leftover in hocr_dir.glob("*"):
                leftover.unlink()
            code = ocrmypdf.ocr(src, dest, force_ocr=True, pdfa_backend="ghostscript", **options)
    except ocr_exceptions.EncryptedPdfError as exc:
        raise DigitizationError(_("Tệp có mật khẩu hoặc được mã hóa: không số hóa được.")) from exc
    except ocr_exceptions.DigitalSignatureError as exc:
        raise DigitizationError(
            _("Tệp PDF đã được ký số: số hóa lại sẽ làm mất hiệu lực chữ ký. Hãy lưu tệp gốc.")
        ) from exc
    except (ocr_exceptions.InputFileError, ocr_exceptions.UnsupportedImageFormatError) as exc:
        raise DigitizationError(_("Tệp bị hỏng hoặc không đọc được: %(why)s"), {"why": exc}) from exc
    except ocr_exceptions.MissingDependencyError as exc:
        raise DigitizationError(
            _("Máy chủ thiếu phần mềm nhận dạng chữ (Tesseract, tiếng Việt): %(why)s"), {"why": exc}
        ) from exc
    except ocr_exceptions.ExitCodeException as exc:
        raise DigitizationError(_("Nhận dạng chữ không thành công: %(why)s"), {"why": exc}) from exc
    if code != ocrmypdf.ExitCode.ok:
        raise DigitizationError(
            _("Không tạo được tệp PDF/A (mã lỗi %(code)s)."), {"code": int(code)}, {"exit_code": int(code)}
        )


def rotate_threshold() -> float:
    # Orientation is only asked for a page whose OCR already looks turned, and a turn is kept only if the
    # page then reads better, so a weak answer is worth trying: Tesseract's orientation confidence on a
    # short upside-down Vietnamese page was 7.6, on a sideways one 9.4 (OCRmyPDF's default threshold, for
    # turning pages on that answer alone, is 14).
    return float(getattr(settings, "MOTCUA_DIGITIZATION_ROTATE_THRESHOLD", 2.0))


def orientation_corrections(hocr_dir: Path) -> dict[int, int]:
    """Page number → clockwise degrees the page is turned, for the pages whose orientation was asked
    (``ocr_plugin``) and found turned with at least the threshold's confidence."""
    corrections = {}
    for path in hocr_dir.glob("*.osd"):
        m = re.match(r"(\d+)", path.name)
        found = json.loads(path.read_text())
        if m and found["angle"] and found["confidence"] >= rotate_threshold():
            corrections[int(m.group(1))] = int(found["angle"])
    return corrections


def _quality(hocr_path: Path) -> float:
    from motcua.digitization.straighten import reading_quality

    if not hocr_path.exists():
        return 0.0
    hocr = hocr_path.read_text("utf-8", "replace")
    return reading_quality(hocr_words(hocr), hocr)


def _pages_turn(
    src: Path, dest: Path, corrections: dict[int, int], hocr_dir: Path, options: dict[str, Any]
) -> None:
    """Turn the pages in ``corrections`` upright, OCR them again and, where the page then reads better,
    put it in place of its first reading in ``dest`` (with its hOCR). Only those pages are read twice."""
    import pikepdf

    from motcua.digitization import ocr_plugin

    numbers = sorted(corrections)
    work = dest.parent / "turned"
    work.mkdir()
    turned_in, turned_out, turned_hocr = work / "in.pdf", work / "out.pdf", work / "hocr"
    turned_hocr.mkdir()
    with pikepdf.open(src) as original:
        subset = pikepdf.new()
        for number in numbers:
            subset.pages.append(original.pages[number - 1])
            page = subset.pages[-1]
            # Drawn with this /Rotate the page is upright (OCRmyPDF's own correction, _graft.py).
            page.Rotate = (int(page.obj.get("/Rotate", 0)) - corrections[number]) % 360
        subset.save(turned_in)
    os.environ[ocr_plugin.HOCR_DIR_ENV] = str(turned_hocr)
    _ocrmypdf(turned_in, turned_out, turned_hocr, options)
    kept = {}
    with pikepdf.open(dest, allow_overwriting_input=True) as output, pikepdf.open(turned_out) as turned:
        for index, number in enumerate(numbers):
            first = hocr_dir / f"{number:06d}_ocr_hocr.hocr"
            reread = turned_hocr / f"{index + 1:06d}_ocr_hocr.hocr"
            if _quality(reread) <= _quality(first):
                continue  # the orientation answer was wrong: the page stays as it was read
            output.pages[number - 1] = turned.pages[index]
            shutil.copyfile(reread, first)
            kept[number] = corrections[number]
        if kept:
            output.save(dest)
    logger.info("pages turned: %s (tried %s)", kept, corrections)


def ocr_run(
    src: Path,
    dest: Path,
    *,
    hocr_dir: Path,
    jobs: int | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> None:
    from motcua.digitization import ocr_plugin

    os.environ[ocr_plugin.HOCR_DIR_ENV] = str(hocr_dir)
    ocr_plugin.progress_callback = on_page
    options: dict[str, Any] = {
        "language": ["vie"],
        # Deskew and orientation are ours (straighten.py): OCRmyPDF's cost 2.7 s of CPU a page.
        "deskew": False,
        "rotate_pages": False,
        "output_type": "pdfa-2",
        "jobs": jobs or ocr_jobs(),
        "progress_bar": True,  # to our observer only: it writes nothing
        "plugins": [PLUGIN],
        "tesseract_timeout": float(getattr(settings, "MOTCUA_DIGITIZATION_PAGE_TIMEOUT", 180)),
    }
    try:
        _ocrmypdf(src, dest, hocr_dir, options)
        ocr_plugin.progress_callback = None
        corrections = orientation_corrections(hocr_dir)
        if corrections:
            _pages_turn(src, dest, corrections, hocr_dir, options)
    finally:
        ocr_plugin.progress_callback = None
        os.environ.pop(ocr_plugin.HOCR_DIR_ENV, None)


# --- 3. Read pages -------------------------------------------------------------------------------------


def pages_read(pdf: Path, *, hocr_dir: Path, pages: int) -> list[PageResult]:
    out = subprocess.run(  # noqa: S603 - a fixed program on our own temporary file
        ["pdftotext", "-enc", "UTF-8", "-layout", str(pdf), "-"],  # noqa: S607 - poppler-utils, system package
        capture_output=True,
        check=True,
        timeout=120,
    )
    texts = out.stdout.decode("utf-8", "replace").split("\f")
    hocr: dict[int, Path] = {}
    for path in hocr_dir.glob("*.hocr"):
        m = re.match(r"(\d+)", path.name)
        if m:
            hocr[int(m.group(1))] = path
    results = []
    for number in range(1, pages + 1):
        text = texts[number - 1].strip("\n") if number - 1 < len(texts) else ""
        text = "\n".join(line.rstrip() for line in text.split("\n"))
        page = PageResult(page=number, text=text, ocr=number in hocr)
        if page.ocr:
            page.words = hocr_words(hocr[number].read_text("utf-8", "replace"))
        if not text.strip():
            message = _(
                "Trang %(page)s không đọc được chữ nào: trang trắng, ảnh hoặc bản quét quá mờ. "
                "Hãy kiểm tra và quét lại nếu cần."
            )
            with translation.override("vi"):
                page.warning = str(message) % {"page": number}
            with translation.override("en"):
                page.warning_en = str(message) % {"page": number}
        results.append(page)
    return results


def digitize(
    sources: Sequence[Source],
    *,
    jobs: int | None = None,
    on_pages: Callable[[int], None] | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> Result:
    """Run every step on ``sources``; ``on_pages(total)`` once the pages are known, ``on_page(done,
    total)`` as pages are OCR'd."""
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="motcua-ocr-"))
    try:
        assembled = work / "in.pdf"
        total = sources_assemble(sources, assembled)
        pages_straighten(assembled, jobs=jobs or ocr_jobs())
        if on_pages is not None:
            on_pages(total)
        hocr_dir = work / "hocr"
        hocr_dir.mkdir()
        output = work / "out.pdf"
        ocr_run(assembled, output, hocr_dir=hocr_dir, jobs=jobs, on_page=on_page)
        pages = pages_read(output, hocr_dir=hocr_dir, pages=total)
        fields = document_fields([(p.text, p.words) for p in pages])
        return Result(pdf=output.read_bytes(), pages=pages, fields=fields, seconds=time.monotonic() - started)
    finally:
        shutil.rmtree(work, ignore_errors=True)
