"""The visible signatures of Decree 30/2020 (Annex I; domain-vn §2.6).

* The competent person's signature: the image of their handwritten signature (blue, transparent PNG)
  between their title and their name, with "Ký bởi" (the signer) and "Thời gian ký" (the signing time).
* The agency's signature: the seal image (red, real size, transparent) overlapping about one third of the
  personal signature on the left, with the agency's name and the signing time.

Every caption is laid out beside or under the seal, never under it (``signature_layout``: one geometry for
the widgets, the images and the captions, which the tests check): the signer's caption to the right of the
seal, under the signature image; the agency's caption under the seal, above the printed name. Times read
"02/12/2026 19:45:03 +07:00" (Vietnam time).

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
from pyhanko.pdf_utils.layout import AxisAlignment, InnerScaling, Margins, SimpleBoxLayoutRule
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


@dataclass(frozen=True)
class Box:
    """A rectangle in PDF points, origin bottom-left."""

    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1

    def intersects(self, other: Box) -> bool:
        return self.x1 < other.x2 and other.x1 < self.x2 and self.y1 < other.y2 and other.y1 < self.y2

    def contains(self, other: Box) -> bool:
        return self.x1 <= other.x1 and other.x2 <= self.x2 and self.y1 <= other.y1 and other.y2 <= self.y2

    def margins_of(self, inner: Box) -> Margins:
        """The margins that leave ``inner`` inside this box (pyHanko's layout rules take whole points)."""
        return Margins(
            left=math.ceil(inner.x1 - self.x1 - 0.01),
            right=math.ceil(self.x2 - inner.x2 - 0.01),
            top=math.ceil(self.y2 - inner.y2 - 0.01),
            bottom=math.ceil(inner.y1 - self.y1 - 0.01),
        )


# The signature block's geometry, in mm from the anchor (the centre of the signature column, top of the
# space the template leaves under the signer's title). The column is ~80 mm wide (decree30.typ's closing).
COLUMN_HALF_MM = 40
SEAL_RIGHT_MM = -4  # the seal's right edge, left of the column's centre
PERSONAL_LEFT_MM = -20  # the signature image's area starts under the seal: the seal covers its left third
CAPTION_GAP_MM = 1
STAMP_FONT_SIZE = 7
STAMP_LEADING = 9  # points between caption lines
PERSONAL_CAPTION_LINES = 4  # a long name takes two
AGENCY_CAPTION_LINES = 3
# The height the template leaves for the signature (decree30.typ, ``signer.space``), in mm: the seal, then
# the agency's caption under it; the printed name comes below.
SIGNATURE_SPACE_MM = math.ceil(
    SEAL_DIAMETER_MM + CAPTION_GAP_MM + AGENCY_CAPTION_LINES * STAMP_LEADING / MM + CAPTION_GAP_MM
)


@dataclass(frozen=True)
class SignatureLayout:
    personal: Box  # the leader's signature widget
    handwriting: Box  # where the signature image is fitted (inside ``personal``)
    personal_caption: Box  # "Ký bởi … / Thời gian ký …" (inside ``personal``)
    agency: Box  # the agency's signature widget
    seal: Box  # the seal image (inside ``agency``)
    agency_caption: Box  # "Cơ quan … / Thời gian ký …" (inside ``agency``)
    space: Box  # what the template leaves free under the title


def signature_layout(*, x: float, top: float) -> SignatureLayout:
    """The boxes of the signature block for the anchor ``x`` (column centre) and ``top`` (PDF points,
    origin bottom-left)."""

    def box(left_mm: float, bottom_mm: float, right_mm: float, top_mm: float) -> Box:
        return Box(x + left_mm * MM, top + bottom_mm * MM, x + right_mm * MM, top + top_mm * MM)

    seal_bottom = -SEAL_DIAMETER_MM
    caption_height = PERSONAL_CAPTION_LINES * STAMP_LEADING / MM + CAPTION_GAP_MM
    agency_caption_top = seal_bottom - CAPTION_GAP_MM
    agency_bottom = agency_caption_top - AGENCY_CAPTION_LINES * STAMP_LEADING / MM - CAPTION_GAP_MM
    return SignatureLayout(
        personal=box(PERSONAL_LEFT_MM, seal_bottom, COLUMN_HALF_MM, 0),
        handwriting=box(PERSONAL_LEFT_MM, seal_bottom + caption_height, COLUMN_HALF_MM, 0),
        # Right of the seal, under the signature image, so the seal never covers it.
        personal_caption=box(
            SEAL_RIGHT_MM + CAPTION_GAP_MM, seal_bottom, COLUMN_HALF_MM, seal_bottom + caption_height
        ),
        agency=box(-COLUMN_HALF_MM, agency_bottom, COLUMN_HALF_MM, 0),
        seal=box(SEAL_RIGHT_MM - SEAL_DIAMETER_MM, seal_bottom, SEAL_RIGHT_MM, 0),
        agency_caption=box(-COLUMN_HALF_MM, agency_bottom, COLUMN_HALF_MM, agency_caption_top),
        space=box(-COLUMN_HALF_MM, -SIGNATURE_SPACE_MM, COLUMN_HALF_MM, 0),
    )


# The layout of a block at the origin: the styles' margins are relative, the same for every anchor.
_LAYOUT = signature_layout(x=0, top=0)


def placements_for_anchor(
    *, page: int, x: float, y: float, page_height: float
) -> tuple[Placement, Placement]:
    """The personal signature box and the seal box for the anchor ``x``, ``y`` (typst's top-left
    coordinates): ``signature_layout`` turned into widget boxes."""
    layout = signature_layout(x=x, top=page_height - y)
    return Placement(page, _box(layout.personal)), Placement(page, _box(layout.agency))


def _box(box: Box) -> tuple[int, int, int, int]:
    return round(box.x1), round(box.y1), round(box.x2), round(box.y2)


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


def when_text(moment: dt.datetime) -> str:
    """ "02/12/2026 19:45:03 +07:00": the signing time as Vietnamese readers write it, Vietnam time."""
    local = moment.astimezone(VIETNAM_TZ)
    offset = local.strftime("%z")
    return f"{local:%d/%m/%Y %H:%M:%S} {offset[:3]}:{offset[3:]}"


@functools.lru_cache(maxsize=1)
def _measure_font() -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(_stamp_font_file()), STAMP_FONT_SIZE)


def text_width(text: str) -> float:
    """Width in points of ``text`` set in the stamp font at the stamp size."""
    return float(_measure_font().getlength(text))


def caption_lines(parts: list[tuple[str, str]], width: float) -> list[str]:
    """Each ``(label, value)`` as "label value" when it fits in ``width`` points, else wrapped at spaces;
    a time value is never broken. Nothing in a caption may be shrunk to fit (the walk found a 5 pt one)."""
    lines: list[str] = []
    for label, value in parts:
        words = [*label.split(), value] if _is_time(value) else f"{label} {value}".split()
        line = ""
        for word in words:
            candidate = f"{line} {word}".strip()
            if line and text_width(candidate) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def _is_time(value: str) -> bool:
    return len(value) == 26 and value[2] == "/" and value[-6] in "+-"


def personal_caption(*, full_name: str, moment: dt.datetime) -> list[str]:
    return caption_lines(
        [("Ký bởi:", full_name), ("Thời gian ký:", when_text(moment))], _LAYOUT.personal_caption.width
    )


def agency_caption(*, agency_name: str, moment: dt.datetime) -> list[str]:
    return caption_lines(
        [("Cơ quan:", agency_name), ("Thời gian ký:", when_text(moment))], _LAYOUT.agency_caption.width
    )


def _stamp_text(lines: list[str]) -> str:
    return "\n".join(lines).replace("%", "%%")  # pyHanko fills in %(…)s parameters


def _caption_style() -> TextBoxStyle:
    return TextBoxStyle(
        font=_font(),
        font_size=STAMP_FONT_SIZE,
        leading=STAMP_LEADING,
        text_color=(0.08, 0.2, 0.63),
        # No inner margin (pyHanko's default is 10 pt on each side): the caption boxes are exact.
        box_layout_rule=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MIN, y_align=AxisAlignment.ALIGN_MAX, margins=Margins(0, 0, 0, 0)
        ),
    )


def personal_stamp_style(*, full_name: str, moment: dt.datetime) -> TextStampStyle:
    return TextStampStyle(
        border_width=0,
        background=PdfImage(handwriting_image(full_name)),
        background_opacity=1.0,
        background_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MID,
            y_align=AxisAlignment.ALIGN_MID,
            margins=_LAYOUT.personal.margins_of(_LAYOUT.handwriting),
        ),
        text_box_style=_caption_style(),
        inner_content_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MIN,
            y_align=AxisAlignment.ALIGN_MAX,
            margins=_LAYOUT.personal.margins_of(_LAYOUT.personal_caption),
            # Never shrunk: caption_lines wraps the text to the box instead (the walk found 5 pt text).
            inner_content_scaling=InnerScaling.NO_SCALING,
        ),
        stamp_text=_stamp_text(personal_caption(full_name=full_name, moment=moment)),
    )


def seal_stamp_style(*, agency_name: str, centre_text: str, moment: dt.datetime) -> TextStampStyle:
    return TextStampStyle(
        border_width=0,
        background=PdfImage(seal_image(agency_name, centre_text)),
        background_opacity=1.0,
        background_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MID,
            y_align=AxisAlignment.ALIGN_MID,
            margins=_LAYOUT.agency.margins_of(_LAYOUT.seal),
        ),
        text_box_style=_caption_style(),
        inner_content_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MIN,
            y_align=AxisAlignment.ALIGN_MAX,
            margins=_LAYOUT.agency.margins_of(_LAYOUT.agency_caption),
            # Never shrunk: caption_lines wraps the text to the box instead (the walk found 5 pt text).
            inner_content_scaling=InnerScaling.NO_SCALING,
        ),
        stamp_text=_stamp_text(agency_caption(agency_name=agency_name, moment=moment)),
    )
