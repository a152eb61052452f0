"""Deskew and page orientation, done cheaply enough that the pipeline keeps pace with plain OCR.

OCRmyPDF's own ``--deskew`` and ``--rotate-pages`` cost about 2.7 s of CPU per scanned A4 page on top of
the 2.2 s the OCR itself takes (measured 2026-12-03: a Tesseract layout pass for the angle, a Pillow
rotation of the whole 300 dpi page saved as PNG, a preview render and a Tesseract orientation pass). The
issue asks for ≥ 0.9× the throughput of plain ``ocrmypdf -l vie``, so both are done differently here:

* **Skew** is measured on a small copy of the page image (a JPEG decoded at reduced scale) with a projection
  profile: the page is cut into vertical strips, each strip's ink per row is summed once, and for each
  candidate angle the strips are shifted against each other — the angle at which text lines give the
  sharpest profile wins. The page is then straightened by *rotating how the image is drawn* (a ``cm``
  matrix around the page centre), not its pixels: no resampling, no re-encoding, the scan kept as it was
  taken, and the OCR render (which happens anyway) sees the straight page. About 50 ms a page.
* **Orientation** is only questioned when the OCR of a page looks turned: Tesseract reads an upside-down
  page with a mean word confidence around 44 (an upright one around 95), and reads a sideways page as
  vertical lines. Only then is Tesseract's orientation detection run on that page; upright pages, nearly
  all of them, cost nothing more (``page_looks_turned``). Because the page is already in doubt, a weak
  orientation answer is enough to try the turn — and the turned reading is kept only if it reads better
  (``reading_quality``), so a wrong answer costs one more OCR of that page and nothing else.
* **The OCR image** of a scanned page is the scan itself, put through the page's drawing matrix with one
  affine resample (``scan_page_raster``, used by ``ocr_plugin``), instead of a PDF render: 0.1–0.2 s
  against 0.6–0.9 s. The test compares it with PDFium's render pixel by pixel.
"""

from __future__ import annotations

import array
import io
import math
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

# Scanners and phone photos of dossiers stay within a few degrees; beyond this the page is not "skewed"
# but laid out at an angle on purpose (or the estimate would be noise).
MAX_SKEW_DEGREES = 5.0
# Below this a correction changes nothing visible and nothing the OCR notices.
MIN_SKEW_DEGREES = 0.1
STRIPS = 16
# The long side of the image the skew is measured on.
MEASURE_SIDE_PX = 1400  # at 1000 the error reached 0.3°, at 1400 0.15° (A4 at 150 and 300 dpi, ±4°)
# Below this mean word confidence an OCR'd page may be upside down (upright ≈ 95, turned ≈ 44).
TURNED_CONFIDENCE = 70.0


def _ink_rows(image: Image.Image, strips: int) -> tuple[list[list[float]], int]:
    """For each vertical strip, the amount of ink in every row (dark pixels count); and the width the
    strips were cut from."""
    gray = image if image.mode == "L" else image.convert("L")
    scale = MEASURE_SIDE_PX / max(gray.size)
    if scale < 1:
        size = (max(strips, round(gray.width * scale)), max(1, round(gray.height * scale)))
        gray = gray.resize(size, Image.Resampling.BOX)
    ink = gray.point(lambda v: 255 if v < 160 else 0).convert("F")
    width, height = ink.size
    rows = []
    for k in range(strips):
        strip = ink.crop((k * width // strips, 0, (k + 1) * width // strips, height))
        profile = strip.resize((1, height), Image.Resampling.BOX)
        rows.append(array.array("f", profile.tobytes()).tolist())
    return rows, width


def _sharpness(rows: list[list[float]], angle: float, strip_width: float) -> float:
    """How sharp the row profile is when each strip is shifted by the line slope at ``angle`` degrees."""
    height = len(rows[0])
    slope = math.tan(math.radians(angle))
    middle = (len(rows) - 1) / 2
    total = [0.0] * height
    for k, profile in enumerate(rows):
        # A line rising by ``angle`` (counter-clockwise) sits higher (smaller y) in strips to the right:
        # move those strips' profiles down by that much (and the left ones up) to line them up.
        shift = round((k - middle) * strip_width * slope)
        if shift > 0:
            shifted = [0.0] * shift + profile[:-shift]
        elif shift < 0:
            shifted = profile[-shift:] + [0.0] * -shift
        else:
            shifted = profile
        total = list(map(operator.add, total, shifted))
    return float(sum(map(operator.mul, total, total)))


def skew_angle(image: Image.Image) -> float:
    """The counter-clockwise rotation, in degrees, that makes the text lines of ``image`` horizontal
    (Pillow's ``rotate`` convention); 0.0 when the page has no measurable lines."""
    rows, width = _ink_rows(image, STRIPS)
    if not any(any(r) for r in rows):
        return 0.0
    strip_width = width / STRIPS
    # Text lines rising to the right (a counter-clockwise skew) need a clockwise correction: the measured
    # slope is the skew, and its negative is the correction.
    steps = [a / 2 for a in range(int(-MAX_SKEW_DEGREES * 2), int(MAX_SKEW_DEGREES * 2) + 1)]
    coarse = max(steps, key=lambda a: _sharpness(rows, a, strip_width))
    # The coarse step is 0.5°, so the best angle lies within ±0.3° of the coarse one.
    fine = max(
        (coarse + a / 20 for a in range(-6, 7)),
        key=lambda a: _sharpness(rows, a, strip_width),
    )
    flat = _sharpness(rows, 0.0, strip_width)
    if _sharpness(rows, fine, strip_width) <= flat * 1.0001:
        return 0.0
    return round(-fine, 2)


# --- Straightening scanned PDF pages ------------------------------------------------------------------


def _scan_image_any_matrix(page: Any) -> Any | None:
    """The one image XObject a page consists of (however it is drawn), or None for any other page."""
    resources = page.obj.get("/Resources")
    if resources is None or "/Font" in resources:
        return None
    xobjects = resources.get("/XObject")
    if xobjects is None or len(xobjects) != 1:
        return None
    (image,) = xobjects.values()
    return image if image.get("/Subtype") == "/Image" else None


def _scan_image(page: Any) -> Any | None:
    """The one image XObject a scanned page consists of, or None for any other page (text, vectors,
    several images, an image drawn at an angle or mirrored): those are left as they are."""
    image = _scan_image_any_matrix(page)
    if image is None:
        return None
    matrix = _image_matrix(page)
    if matrix is None:
        return None
    a, b, c, d = matrix[:4]
    if b or c or a <= 0 or d <= 0:
        return None
    return image


@dataclass(frozen=True)
class ScanSource:
    """What the skew of a scanned page is measured on, taken out of the PDF (pikepdf is not safe to use
    from several threads; measuring is pure Pillow and is)."""

    jpeg: bytes | None  # a JPEG as stored, decoded later at reduced size
    picture: Image.Image | None  # any other image, decoded already
    rotate: int  # the page's /Rotate


def scan_source(page: Any) -> ScanSource | None:
    """The picture of a scanned page, or None for a page that is not a plain scan."""
    import pikepdf

    image_obj = _scan_image(page)
    if image_obj is None:
        return None
    rotate = int(page.obj.get("/Rotate", 0)) % 360
    try:
        if image_obj.get("/Filter") == pikepdf.Name.DCTDecode:
            return ScanSource(jpeg=bytes(image_obj.read_raw_bytes()), picture=None, rotate=rotate)
        return ScanSource(jpeg=None, picture=pikepdf.PdfImage(image_obj).as_pil_image(), rotate=rotate)
    except Exception:  # an image pikepdf cannot decode: OCRmyPDF will say so, not this optional step
        return None


def source_skew(source: ScanSource | None) -> float:
    """The correction to apply to a scanned page (0.0: none, or the skew is beyond belief)."""
    if source is None:
        return 0.0
    try:
        picture: Image.Image
        if source.jpeg is not None:
            jpeg = Image.open(io.BytesIO(source.jpeg))
            scale = MEASURE_SIDE_PX / max(jpeg.size)
            jpeg.draft("L", (round(jpeg.width * scale), round(jpeg.height * scale)))
            picture = jpeg
        else:
            assert source.picture is not None
            picture = source.picture
        preview = picture.convert("L")
    except Exception:  # Pillow raises many types for damaged images; straightening is optional
        return 0.0
    if source.rotate:
        # Measure as the reader sees it; the same small angle then applies in the page's own space
        # (two plane rotations commute). /Rotate turns clockwise, Pillow the other way.
        preview = preview.rotate(-source.rotate, expand=True)
    angle = skew_angle(preview)
    if abs(angle) < MIN_SKEW_DEGREES or abs(angle) > MAX_SKEW_DEGREES:
        return 0.0
    return angle


def page_turn(pdf: Any, page: Any, angle: float) -> None:
    """Draw the page turned by ``angle`` degrees counter-clockwise around its centre: the scan's pixels
    stay as they were taken, the reader and the OCR render see the page straight."""
    import pikepdf

    x0, y0, x1, y1 = (float(v) for v in page.mediabox)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    theta = math.radians(angle)  # PDF space has y up: a positive angle turns counter-clockwise too
    cos, sin = math.cos(theta), math.sin(theta)
    matrix = [cos, sin, -sin, cos, cx - cx * cos + cy * sin, cy - cx * sin - cy * cos]
    operands = [pikepdf.Object.parse(f"{v:.6f}".encode()) for v in matrix]
    before = pikepdf.unparse_content_stream(
        [pikepdf.ContentStreamInstruction(operands, pikepdf.Operator("cm"))]
    )
    page.contents_add(pikepdf.Stream(pdf, b"q\n" + before + b"\n"), prepend=True)
    page.contents_add(pikepdf.Stream(pdf, b"\nQ\n"), prepend=False)


# --- Orientation: only when the OCR says the page looks turned ------------------------------------------

_LINE_BOX = re.compile(r"class=['\"]ocr_line['\"][^>]*?title=['\"]bbox (\d+) (\d+) (\d+) (\d+)")


def page_looks_turned(words: Sequence[tuple[str, float]], hocr: str) -> bool:
    """Whether an OCR'd page may be upside down or sideways, so that orientation detection is worth its
    cost: a low mean word confidence (turned Latin text reads as low-confidence noise) or text lines
    that run vertically. A page with almost no words cannot be oriented either way."""
    if len(words) < 3:
        return False
    mean = sum(confidence for _, confidence in words) / len(words)
    if mean < TURNED_CONFIDENCE:
        return True
    return _mostly_vertical(hocr)


def _mostly_vertical(hocr: str) -> bool:
    boxes = [tuple(int(v) for v in m.groups()) for m in _LINE_BOX.finditer(hocr)]
    vertical = sum(1 for x0, y0, x1, y1 in boxes if (y1 - y0) > 2 * (x1 - x0))
    return bool(boxes) and vertical * 2 > len(boxes)


# --- The OCR raster of a scanned page, without rendering the PDF ------------------------------------------

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_RASTER_MODES = {"pnggray": "L", "png16m": "RGB", "pngmono": "1"}


def _concat(m: Matrix, ctm: Matrix) -> Matrix:
    """``m`` then ``ctm`` (PDF's row-vector convention: ``cm m`` makes the CTM ``m × ctm``)."""
    a1, b1, c1, d1, e1, f1 = m
    a2, b2, c2, d2, e2, f2 = ctm
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def _image_matrix(page: Any) -> Matrix | None:
    """The transformation in force where the page draws its one image (its unit square → page)."""
    import pikepdf

    stack: list[Matrix] = []
    ctm, drawn = IDENTITY, None
    try:
        instructions = pikepdf.parse_content_stream(page)
    except pikepdf.PdfError:
        return None
    for instruction in instructions:
        if not isinstance(instruction, pikepdf.ContentStreamInstruction):
            return None
        name = str(instruction.operator)
        if name == "q":
            stack.append(ctm)
        elif name == "Q":
            if not stack:
                return None
            ctm = stack.pop()
        elif name == "cm":
            values = tuple(float(x) for x in list(instruction.operands)[:6])
            if len(values) != 6:
                return None
            ctm = _concat(values, ctm)
        elif name == "Do":
            if drawn is not None:
                return None
            drawn = ctm
        else:
            return None
    return drawn


def scan_page_raster(
    pdf_path: Path, pageno: int, device: str, dpi_x: float, dpi_y: float
) -> Image.Image | None:
    """The image OCR needs of page ``pageno`` when that page is one scan (straightened or not): the scan
    itself, turned by the page's drawing matrix, at ``dpi`` — what a PDF renderer would draw, for a
    fraction of the cost (a page render costs 0.6–0.9 s at 300 dpi; this 0.2 s). None for any other page,
    which OCRmyPDF then renders as usual."""
    import pikepdf

    mode = _RASTER_MODES.get(device.lower())
    if mode is None:
        return None
    with pikepdf.open(pdf_path) as pdf:
        page = pdf.pages[pageno - 1]
        if int(page.obj.get("/Rotate", 0)) % 360:
            return None
        image_obj = _scan_image_any_matrix(page)
        if image_obj is None:
            return None
        if any(key in image_obj for key in ("/SMask", "/Mask", "/ImageMask", "/Decode")):
            return None
        if int(image_obj.get("/BitsPerComponent", 0)) != 8:
            return None
        if image_obj.get("/ColorSpace") not in (pikepdf.Name.DeviceGray, pikepdf.Name.DeviceRGB):
            return None
        matrix = _image_matrix(page)
        if matrix is None:
            return None
        x0, y0, x1, y1 = (float(v) for v in page.mediabox)
        picture: Image.Image
        if image_obj.get("/Filter") == pikepdf.Name.DCTDecode:
            picture = Image.open(io.BytesIO(bytes(image_obj.read_raw_bytes())))
            picture.load()
        else:
            picture = pikepdf.PdfImage(image_obj).as_pil_image()
    if picture.mode not in ("L", "RGB"):
        return None
    width, height = round((x1 - x0) * dpi_x / 72), round((y1 - y0) * dpi_y / 72)
    sx, sy = dpi_x / 72, dpi_y / 72
    iw, ih = picture.size
    a, b, c, d, e, f = matrix
    # Image pixel (u, v), v downwards → unit square (u/iw, 1 - v/ih) → page → raster pixel (X, Y).
    p, q, t1 = sx * a / iw, -sx * c / ih, sx * (c + e - x0)
    r, s, t2 = -sy * b / iw, sy * d / ih, sy * (y1 - d - f)
    det = p * s - q * r
    if abs(det) < 1e-12:
        return None
    white = 255 if picture.mode == "L" else (255, 255, 255)
    if (
        abs(p - 1) < 1e-3
        and abs(s - 1) < 1e-3
        and abs(q) < 1e-6
        and abs(r) < 1e-6
        and abs(t1) + abs(t2) < 0.5
    ):
        raster: Image.Image = picture  # drawn pixel for pixel: the scan is the raster
        if raster.size != (width, height):
            canvas = Image.new(picture.mode, (width, height), white)
            canvas.paste(picture, (0, 0))
            raster = canvas
    else:
        inverse = (s / det, -q / det, (q * t2 - s * t1) / det, -r / det, p / det, (r * t1 - p * t2) / det)
        raster = picture.transform(
            (width, height),
            Image.Transform.AFFINE,
            inverse,
            resample=Image.Resampling.BILINEAR,
            fillcolor=white,
        )
    return raster.convert(mode) if raster.mode != mode else raster


def reading_quality(words: Sequence[tuple[str, float]], hocr: str) -> float:
    """How well a page was read, to choose between two readings of it (as scanned, and turned): the mean
    word confidence, less 50 when the text lines ran vertically (a sideways page read line by line
    standing up reads confidently, yet a person would still have to turn their head)."""
    if not words:
        return 0.0
    mean = sum(confidence for _, confidence in words) / len(words)
    return mean - 50 if _mostly_vertical(hocr) else mean
