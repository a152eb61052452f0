"""Charts drawn on the server as SVG (no script, no CDN): a bar chart and a line chart, each labelled for
screen readers; the page shows the same numbers in a table next to each chart."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

_COLOURS = ("#1f5fa8", "#2e8540", "#c05600", "#b50909", "#6a3d9a", "#5b616b")


LABEL_CHARACTERS = 28


def _fit(label: str) -> str:
    """A label cut to the bar chart's label column, visibly (the data table beside it has the full text)."""
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1].rstrip() + "…"


def bar_chart(
    title: str, items: Sequence[tuple[str, float]], *, width: int = 420, unit: str = ""
) -> SafeString:
    """Horizontal bars, one per item, with its value written at the end of the bar."""
    row, label_width = 26, 170
    height = max(1, len(items)) * row + 10
    top = max((value for _label, value in items), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-label="{escape(title)}" class="ioc-chart">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(items):
        y = 5 + i * row
        bar = (width - label_width - 60) * (value / top)
        colour = _COLOURS[i % len(_COLOURS)]
        parts.append(
            f'<text x="0" y="{y + 16}" font-size="12">'
            f"<title>{escape(label)}</title>{escape(_fit(label))}</text>"
            f'<rect x="{label_width}" y="{y + 3}" width="{bar:.1f}" height="18" fill="{colour}"/>'
            f'<text x="{label_width + bar + 4:.1f}" y="{y + 16}" font-size="12">'
            f"{escape(_number(value))}{escape(unit)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def line_chart(
    title: str, points: Sequence[tuple[str, float | None]], *, top: float = 100, width: int = 420
) -> SafeString:
    """A line through the points (None = no value that month), labels along the bottom."""
    height, left, bottom = 180, 30, 30
    step = (width - left - 30) / max(1, len(points) - 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-label="{escape(title)}" class="ioc-chart">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#999"/>',
    ]
    coords = []
    for i, (label, value) in enumerate(points):
        x = left + i * step
        parts.append(
            f'<text x="{x:.1f}" y="{height - 10}" font-size="11" text-anchor="middle">{escape(label)}</text>'
        )
        if value is not None:
            y = (height - bottom) - (height - bottom - 10) * (value / (top or 1))
            coords.append(f"{x:.1f},{y:.1f}")
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1f5fa8"/>'
                f'<text x="{x:.1f}" y="{y - 6:.1f}" font-size="11" text-anchor="middle">'
                f"{_number(value)}</text>"
            )
    if coords:
        parts.append(f'<polyline fill="none" stroke="#1f5fa8" stroke-width="2" points="{" ".join(coords)}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
