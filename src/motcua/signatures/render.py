"""PDF/A documents rendered with typst. Templates take their data as JSON, so a name like ``#*_$<`` prints as
written.

The typeface: Decree 30/2020 (Annex I) names Times New Roman. It is not free software, so it is used when
the host has it (found through fontconfig), and Liberation Serif 2 otherwise — its metrics are the same, so
the layout does not change. Each document says which one it was set in (PDF Keywords, also in the XMP
metadata of the PDF/A)."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typst

TEMPLATES = Path(__file__).parent / "typst"
DECREE_30_FONT = "Times New Roman"
FALLBACK_FONT = "Liberation Serif"
FALLBACK_FONT_DIRS = ("/usr/share/fonts/truetype/liberation2",)


class RenderError(Exception):
    pass


@dataclass(frozen=True)
class DocumentFont:
    family: str
    directories: tuple[str, ...]


def _fontconfig_files(family: str) -> list[Path]:
    """The font files fontconfig knows for exactly ``family`` (``fc-list``, unlike ``fc-match``, never
    answers with a substitute). Empty without fontconfig."""
    program = shutil.which("fc-list")
    if program is None:
        return []
    try:
        found = subprocess.run(  # noqa: S603 (fixed program and arguments)
            [program, f":family={family}", "-f", "%{file}\n"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [Path(line) for line in found.stdout.splitlines() if line.strip()]


@functools.lru_cache(maxsize=1)
def document_font() -> DocumentFont:
    """Times New Roman when fontconfig finds it, Liberation Serif (metric-compatible) otherwise. Looked up
    once per process; ``document_font.cache_clear()`` looks again."""
    files = [f for f in _fontconfig_files(DECREE_30_FONT) if f.is_file()]
    if files:
        directories = sorted({str(f.parent) for f in files})
        return DocumentFont(DECREE_30_FONT, (*directories, *_existing(FALLBACK_FONT_DIRS)))
    return DocumentFont(FALLBACK_FONT, _existing(FALLBACK_FONT_DIRS))


def _existing(directories: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(d for d in directories if Path(d).is_dir())


def _inputs(data: dict[str, Any], font: DocumentFont) -> dict[str, str]:
    return {"data": json.dumps(data, ensure_ascii=False), "font": font.family}


def _font_or_fail() -> DocumentFont:
    font = document_font()
    if not font.directories:
        raise RenderError("fonts-liberation2 is not installed (apt-get install fonts-liberation2)")
    return font


def document_render(*, template: str, data: dict[str, Any]) -> bytes:
    path = TEMPLATES / f"{template}.typ"
    if not path.is_file():
        raise RenderError(f"unknown template {template!r}")
    font = _font_or_fail()
    pdf = typst.compile(
        str(path),
        sys_inputs=_inputs(data, font),
        font_paths=list(font.directories),
        pdf_standards=["a-2b"],
    )
    if not isinstance(pdf, bytes):
        raise RenderError("typst returned no PDF")
    return pdf


def document_anchors(*, template: str, data: dict[str, Any], label: str = "chu-ky") -> list[dict[str, float]]:
    """Points the template marks with ``<label>`` metadata (page 1-based, x/y in points from the top-left):
    where the signature images go. Same inputs as ``document_render``, so the same layout."""
    path = TEMPLATES / f"{template}.typ"
    font = _font_or_fail()
    found = typst.query(
        str(path),
        f"<{label}>",
        field="value",
        sys_inputs=_inputs(data, font),
        font_paths=list(font.directories),
    )
    values = json.loads(found) if isinstance(found, str | bytes) else found
    return [v for v in values if isinstance(v, dict) and {"page", "x", "y"} <= v.keys()]
