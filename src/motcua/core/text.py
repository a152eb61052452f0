"""Text helpers for Vietnamese: folding diacritics so that "dang ky khai sinh" finds "Đăng ký khai sinh"."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold_vietnamese(text: str) -> str:
    """Lower-case, strip tone and vowel marks, and map đ/Đ to d (NFD does not decompose đ)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.lower()).strip()
