"""The visible signatures of Decree 30/2020 (Annex I; domain-vn §2.6).

* The competent person's signature: the image of their handwritten signature (blue, transparent PNG)
  centred between their title and their name, with the signer's name and the signing time.
* The agency's signature: the seal image (red, real size, transparent) overlapping about one third of the
  personal signature on the left, with the agency's name and the signing time (ISO 8601, Vietnam time).

Where an official has not uploaded a signature image, the demo draws their name in a script-like italic;
the seal is drawn from the agency's name (a real province uploads the scanned seal instead). Fonts come
from Debian's fonts-noto-core (Noto Serif covers Vietnamese); images are made once per name and kept."""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import TextStampStyle

from motcua.core.clock import VIETNAM_TZ

NOTO_DIR = Path("/usr/share/fonts/truetype/noto")
LIBERATION_DIR = Path("/usr/share/fonts/truetype/liberation2")
MM = 72 / 25.4  # PDF points per millimetre
SEAL_DIAMETER_MM = 36  # the usual diameter of an agency seal (Circular 07/2025/TT-BCA sets sizes by level)
RED = (200, 16, 46)
BLUE = (20, 50, 160)
DPI = 300


class AppearanceError(Exception):
    pass


def _font_path(name: str) -> Path:
    for directory in (NOTO_DIR, LIBERATION_DIR):
        candidate = directory / name
        if candidate.is_file():
            return candidate
    raise AppearanceError(f"font {name} is missing (apt-get install fonts-noto-core fonts-liberation2)")


def _pixels(mm: float) -> int:
    return round(mm / 25.4 * DPI)


@functools.lru_cache(maxsize=64)
def seal_image(agency_name: str, centre_text: str) -> Image.Image:
    """A round red seal: two rings, the agency's name around the top, a star and the place in the middle."""
    size = _pixels(SEAL_DIAMETER_MM)
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    outer = size // 2 - 4
    draw.ellipse((4, 4, size - 4, size - 4), outline=(*RED, 235), width=_pixels(0.9))
    inner = int(outer * 0.70)
    centre = size // 2
    draw.ellipse(
        (centre - inner, centre - inner, centre + inner, centre + inner),
        outline=(*RED, 235),
        width=_pixels(0.5),
    )
    font = ImageFont.truetype(str(_font_path("NotoSerif-Bold.ttf")), _pixels(3.0))
    text = agency_name.upper()
    radius = (outer + inner) / 2
    # Spread the letters over the upper 300° of the ring, starting bottom-left, clockwise.
    span = math.radians(300)
    start = math.radians(-240)
    step = span / max(len(text), 1)
    for index, char in enumerate(text):
        angle = start + step * (index + 0.5)
        glyph = Image.new("RGBA", (_pixels(4), _pixels(4)), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text(
            (glyph.width / 2, glyph.height / 2), char, font=font, fill=(*RED, 235), anchor="mm"
        )
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.Resampling.BICUBIC, expand=True)
        x = centre + radius * math.cos(angle) - glyph.width / 2
        y = centre + radius * math.sin(angle) - glyph.height / 2
        image.alpha_composite(glyph, (round(x), round(y)))
    # A five-pointed star above the place name.
    star_radius = inner * 0.28
    points = []
    for k in range(10):
        r = star_radius if k % 2 == 0 else star_radius * 0.4
        a = math.radians(-90 + 36 * k)
        points.append((centre + r * math.cos(a), centre - inner * 0.25 + r * math.sin(a)))
    draw.polygon(points, fill=(*RED, 235))
    middle = ImageFont.truetype(str(_font_path("NotoSerif-Bold.ttf")), _pixels(3.2))
    draw.text(
        (centre, centre + inner * 0.35), centre_text.upper(), font=middle, fill=(*RED, 235), anchor="mm"
    )
    return image


@functools.lru_cache(maxsize=256)
def handwriting_image(full_name: str) -> Image.Image:
    """Demo stand-in for an official's scanned signature: their name in blue italic, underlined."""
    font = ImageFont.truetype(str(_font_path("NotoSerif-Italic.ttf")), _pixels(6))
    left, top, right, bottom = font.getbbox(full_name)
    width, height = int(right - left) + _pixels(6), int(bottom - top) + _pixels(6)
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.text((_pixels(3) - left, _pixels(2) - top), full_name, font=font, fill=(*BLUE, 255))
    y = height - _pixels(2)
    draw.line((_pixels(2), y, width - _pixels(2), y - _pixels(1.5)), fill=(*BLUE, 255), width=_pixels(0.35))
    return image


@dataclass(frozen=True)
class Placement:
    """Where a visible signature goes: page (0-based) and box in PDF points (origin bottom-left)."""

    page: int
    box: tuple[int, int, int, int]


def placements_for_anchor(
    *, page: int, x: float, y: float, page_height: float
) -> tuple[Placement, Placement]:
    """The personal signature box centred under the signer's title (``x``, ``y`` in typst's top-left
    coordinates) and the seal box overlapping its left third."""
    width, height = 62 * MM, 22 * MM
    top = page_height - y
    personal = Placement(page, _box(x - width / 2, top - height, x + width / 2, top))
    # The seal covers about the left third of the handwritten signature (~30 mm wide, centred on x).
    seal = SEAL_DIAMETER_MM * MM
    seal_right = x - 5 * MM
    seal_bottom = top - height / 2 - seal / 2
    agency = Placement(page, _box(seal_right - seal, seal_bottom, seal_right, seal_bottom + seal))
    return personal, agency


def _box(x1: float, y1: float, x2: float, y2: float) -> tuple[int, int, int, int]:
    return round(x1), round(y1), round(x2), round(y2)


STAMP_FONT_SIZE = 7


def _font() -> GlyphAccumulatorFactory:
    # Noto Serif: pyHanko lays out Liberation Serif 2 with wrong advances (letters spread out); the size
    # given to the accumulator must match the text box's.
    return GlyphAccumulatorFactory(str(_stamp_font_file()), font_size=STAMP_FONT_SIZE)


# Vietnamese is written with precomposed letters: Latin, Latin-1, Latin Extended-A/B, Latin Extended
# Additional (ạ…ỹ), combining marks and punctuation cover every stamp we print.
_VIETNAMESE_RANGES = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x1E00, 0x1EFF), (0x2000, 0x206F)]


@functools.lru_cache(maxsize=1)
def _stamp_font_file() -> Path:
    """Noto Serif cut down once to the Vietnamese letters and without its OpenType layout tables.

    pyHanko subsets the font again for every signature it draws; on the full font fontTools spends
    ~330 ms per signature decompiling GSUB/GPOS, which precomposed Vietnamese text never needs."""
    from fontTools import subset

    source = _font_path("NotoSerif-Regular.ttf")
    target = Path(tempfile.gettempdir()) / f"motcua-stamp-font-{int(source.stat().st_mtime)}.ttf"
    if not target.exists():
        options = subset.Options()
        options.layout_features = []
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH"]
        options.hinting = False
        font = subset.load_font(str(source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[u for lo, hi in _VIETNAMESE_RANGES for u in range(lo, hi + 1)])
        subsetter.subset(font)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        subset.save_font(font, str(partial), options)
        os.replace(partial, target)  # atomic: concurrent workers never read a half-written file
    return target


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(VIETNAM_TZ).isoformat(timespec="seconds")


def personal_stamp_style(*, full_name: str, moment: dt.datetime) -> TextStampStyle:
    return TextStampStyle(
        border_width=0,
        background=PdfImage(handwriting_image(full_name)),
        background_opacity=1.0,
        background_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MID, y_align=AxisAlignment.ALIGN_MAX, margins=Margins(0, 0, 0, 18)
        ),
        text_box_style=TextBoxStyle(font=_font(), font_size=STAMP_FONT_SIZE, text_color=(0.08, 0.2, 0.63)),
        inner_content_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MID, y_align=AxisAlignment.ALIGN_MIN
        ),
        stamp_text=f"Ký bởi: {full_name}\nThời gian ký: {_when(moment)}",
    )


def seal_stamp_style(*, agency_name: str, centre_text: str, moment: dt.datetime) -> TextStampStyle:
    return TextStampStyle(
        border_width=0,
        background=PdfImage(seal_image(agency_name, centre_text)),
        background_opacity=1.0,
        background_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MIN, y_align=AxisAlignment.ALIGN_MID
        ),
        text_box_style=TextBoxStyle(font=_font(), font_size=STAMP_FONT_SIZE, text_color=(0.08, 0.2, 0.63)),
        inner_content_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MAX, y_align=AxisAlignment.ALIGN_MIN
        ),
        stamp_text=f"Cơ quan: {agency_name}\nThời gian ký: {_when(moment)}",
    )
