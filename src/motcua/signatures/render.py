"""PDF/A documents rendered with typst and Liberation Serif 2 (metric-compatible with Times New Roman, which
Decree 30/2020 asks for). Templates take their data as JSON, so a name like ``#*_$<`` prints as written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typst

TEMPLATES = Path(__file__).parent / "typst"
FONT_DIRS = ["/usr/share/fonts/truetype/liberation2"]


class RenderError(Exception):
    pass


def document_render(*, template: str, data: dict[str, Any]) -> bytes:
    path = TEMPLATES / f"{template}.typ"
    if not path.is_file():
        raise RenderError(f"unknown template {template!r}")
    fonts = [d for d in FONT_DIRS if Path(d).is_dir()]
    if not fonts:
        raise RenderError("fonts-liberation2 is not installed (apt-get install fonts-liberation2)")
    pdf = typst.compile(
        str(path),
        sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
        font_paths=fonts,
        pdf_standards=["a-2b"],
    )
    if not isinstance(pdf, bytes):
        raise RenderError("typst returned no PDF")
    return pdf


def document_anchors(*, template: str, data: dict[str, Any], label: str = "chu-ky") -> list[dict[str, float]]:
    """Points the template marks with ``<label>`` metadata (page 1-based, x/y in points from the top-left):
    where the signature images go. Same inputs as ``document_render``, so the same layout."""
    path = TEMPLATES / f"{template}.typ"
    fonts = [d for d in FONT_DIRS if Path(d).is_dir()]
    found = typst.query(
        str(path),
        f"<{label}>",
        field="value",
        sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
        font_paths=fonts,
    )
    values = json.loads(found) if isinstance(found, str | bytes) else found
    return [v for v in values if isinstance(v, dict) and {"page", "x", "y"} <= v.keys()]
