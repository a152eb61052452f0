"""Small scanned-looking pages for the digitisation tests and the bench: Vietnamese text rendered with
Pillow (Noto Serif / Liberation Serif 2 from scripts/system-packages), optionally rotated and noised."""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONTS = (
    "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
)


def _font(size: int) -> ImageFont.FreeTypeFont:
    for path in FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    raise FileNotFoundError("no font with Vietnamese letters (scripts/system-packages installs them)")


def scan_page(
    lines: Sequence[str],
    *,
    dpi: int = 200,
    width_mm: float = 210,
    height_mm: float = 0,
    font_pt: float = 13,
    rotate: float = 0.0,
    noise: float = 0.0,
    seed: int = 1,
) -> Image.Image:
    """A grayscale page (A4 width) holding ``lines``; ``height_mm`` 0 fits the text."""
    px_per_mm = dpi / 25.4
    font = _font(round(font_pt * dpi / 72))
    line_height = round(font.size * 1.6)
    margin = round(20 * px_per_mm)
    width = round(width_mm * px_per_mm)
    height = round(height_mm * px_per_mm) or (2 * margin + line_height * len(lines))
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((margin, margin + i * line_height), line, font=font, fill=0)
    if rotate:
        image = image.rotate(rotate, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    if noise:
        rng = random.Random(seed)  # noqa: S311 - reproducible noise, not a secret
        pixels = image.load()
        assert pixels is not None
        w, h = image.size
        for _ in range(int(w * h * noise)):
            x, y = rng.randrange(w), rng.randrange(h)
            pixels[x, y] = rng.choice((0, 90, 160))
        image = image.filter(ImageFilter.GaussianBlur(0.5))
    image.info["dpi"] = (dpi, dpi)
    return image


def image_bytes(image: Image.Image, fmt: str = "PNG", **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    dpi = image.info.get("dpi", (200, 200))
    image.save(buffer, fmt, dpi=dpi, **kwargs)
    return buffer.getvalue()


def tiff_bytes(images: Sequence[Image.Image]) -> bytes:
    buffer = io.BytesIO()
    dpi = images[0].info.get("dpi", (200, 200))
    images[0].save(
        buffer, "TIFF", save_all=True, append_images=list(images[1:]), dpi=dpi, compression="tiff_lzw"
    )
    return buffer.getvalue()


ID_CARD_LINES = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "CĂN CƯỚC CÔNG DÂN",
    "Số / No.: 049088001234",
    "Họ và tên / Full name:",
    "NGUYỄN VĂN AN",
    "Ngày sinh / Date of birth: 15/03/1988",
    "Giới tính / Sex: Nam",
)

DECISION_LINES = (
    "ỦY BAN NHÂN DÂN XÃ ĐIỆN BÀN",
    "Số: 15/QĐ-UBND",
    "Quảng Nam, ngày 20 tháng 11 năm 2026",
    "QUYẾT ĐỊNH",
    "Về việc công nhận hộ kinh doanh",
    "Họ và tên: Trần Thị Bích Ngọc",
    "Số định danh cá nhân: 049188004321",
    "Địa chỉ: thôn Phong Thử, xã Điện Bàn",
)
