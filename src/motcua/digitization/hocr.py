"""Reading Tesseract's hOCR: the words of a page with their confidence (0–100)."""

from __future__ import annotations

import html
import re

from motcua.digitization.fields import Word

_WORD = re.compile(
    r"<span class=['\"]ocrx_word['\"][^>]*?title=['\"][^'\"]*?x_wconf (\d+)[^'\"]*['\"][^>]*>(.*?)</span>",
    re.DOTALL,
)
_TAG = re.compile(r"<[^>]+>")


def hocr_words(hocr: str) -> list[Word]:
    words: list[Word] = []
    for m in _WORD.finditer(hocr):
        text = html.unescape(_TAG.sub("", m.group(2))).strip()
        if text:
            words.append((text, float(m.group(1))))
    return words
