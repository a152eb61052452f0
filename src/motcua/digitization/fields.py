"""Fields found in the OCR text, for the clerk to confirm (never trusted silently): 12-digit personal
identification numbers, full names after "Họ và tên", dates (dd/mm/yyyy and "ngày … tháng … năm …"),
document numbers/symbols such as ``15/QĐ-UBND`` or ``12/2024/NĐ-CP``; each with its page and the OCR
confidence of its words (Tesseract's word confidence, 0–100, from the hOCR of that page).

On a citizen ID card (căn cước / CCCD) the number, the name and the date of birth are picked out as one
``id_card`` field. Pure functions: no database."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

# A word Tesseract read and how sure it was (0–100).
Word = tuple[str, float]

ID_NUMBER = re.compile(r"(?<!\d)(\d{12})(?!\d)")
# "Họ và tên", "Họ, chữ đệm và tên", "Họ tên"; the card adds "/ Full name". The name runs to the end of line.
NAME = re.compile(
    r"H[ọo](?:,?\s+ch[ữu]\s+đ[ệe]m)?\s+(?:v[àa]\s+)?t[êe]n(?:\s+khai\s+sinh)?"
    r"\s*(?:/\s*Full\s+name)?\s*[:：.]?[ \t]*"
    r"(?P<value>[^\n:：]{2,80})",
    re.IGNORECASE,
)
DATE_NUMERIC = re.compile(r"(?<!\d)(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})(?!\d)")
DATE_WORDS = re.compile(
    r"ng[àa]y\s+(?P<d>\d{1,2})\s+th[áa]ng\s+(?P<m>\d{1,2})\s+n[ăa]m\s+(?P<y>\d{4})", re.IGNORECASE
)
# Number / (year /) symbol: 15/QĐ-UBND, 12/2024/NĐ-CP, 01/2023/TT-VPCP, 123/GCN-SKHĐT.
DOC_NUMBER = re.compile(
    r"(?<![\w/])(?P<value>\d{1,6}/(?:\d{4}/)?[A-ZĐ][A-ZĐ0-9]{0,9}(?:-[A-ZĐ][A-ZĐ0-9]{0,11}){1,3})(?![\w-])"
)
BIRTH_DATE = re.compile(
    r"Ng[àa]y\s*,?\s*th[áa]ng\s*,?\s*n[ăa]m\s+sinh|Ng[àa]y\s+sinh|Date\s+of\s+birth", re.I
)
CARD_MARK = re.compile(r"C[ĂA]N\s+C[ƯU][ỚO]C|CITIZEN\s+IDENTITY|IDENTITY\s+CARD", re.IGNORECASE)


@dataclass(frozen=True)
class Field:
    kind: str  # id_number, name, date, document_number, id_card
    value: str
    page: int
    confidence: float | None
    raw: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "value": self.value,
            "page": self.page,
            "confidence": self.confidence,
        }
        if self.raw and self.raw != self.value:
            data["raw"] = self.raw
        data.update(self.extra)
        return data


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold().strip(".,;:()[]\"'")


def words_confidence(value: str, words: Sequence[Word]) -> float | None:
    """The mean confidence of the OCR words that make up ``value`` (found as a run in the page's words),
    or None when the page has no word data (a page that already held text is not OCR'd)."""
    tokens = [_fold(t) for t in value.split() if _fold(t)]
    if not tokens or not words:
        return None
    folded = [_fold(w) for w, _ in words]
    n = len(tokens)
    for start in range(len(folded) - n + 1):
        if all(tok in folded[start + i] for i, tok in enumerate(tokens)):
            return round(sum(c for _, c in words[start : start + n]) / n, 1)
    # Not a clean run (the value was split across words differently): the best single-token matches.
    confidences = [
        c for tok in tokens for w, c in zip(folded, (c for _, c in words), strict=True) if tok in w
    ]
    return round(sum(confidences) / len(confidences), 1) if confidences else None


def _date(day: str, month: str, year: str) -> str | None:
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _name_clean(raw: str) -> str:
    # Stop at what follows a name on the same line in forms ("Ngày sinh", "Giới tính", a slash label).
    value = re.split(r"\s{3,}|\s/\s|Ng[àa]y\s+sinh|Gi[ớo]i\s+t[íi]nh|Sinh\s+ng[àa]y", raw, maxsplit=1)[0]
    value = value.strip(" .,;:-_")
    return " ".join(value.split())


def _is_name(value: str) -> bool:
    parts = value.split()
    return 2 <= len(parts) <= 7 and all(p[:1].isalpha() and p[:1].isupper() for p in parts)


def page_fields(text: str, *, page: int, words: Sequence[Word] = ()) -> list[Field]:
    found: list[Field] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, value: str, raw: str, **extra: Any) -> None:
        if (kind, value) in seen:
            return
        seen.add((kind, value))
        found.append(Field(kind, value, page, words_confidence(raw, words), raw=raw, extra=extra))

    for m in ID_NUMBER.finditer(text):
        add("id_number", m.group(1), m.group(1))
    for m in NAME.finditer(text):
        value = _name_clean(m.group("value"))
        if _is_name(value):
            add("name", value, value)
    for pattern in (DATE_NUMERIC, DATE_WORDS):
        for m in pattern.finditer(text):
            iso = _date(m.group("d"), m.group("m"), m.group("y"))
            if iso:
                add("date", iso, m.group(0))
    for m in DOC_NUMBER.finditer(text):
        add("document_number", m.group("value"), m.group("value"))
    card = id_card_fields(text, page=page, words=words)
    if card is not None:
        found.append(card)
    return found


def id_card_fields(text: str, *, page: int, words: Sequence[Word] = ()) -> Field | None:
    """Number, name and date of birth of a citizen ID card, when the page reads like one."""
    if not CARD_MARK.search(text):
        return None
    number = ID_NUMBER.search(text)
    name_match = NAME.search(text)
    name = _name_clean(name_match.group("value")) if name_match else ""
    if name and not _is_name(name):
        # On the card the name is printed on the line below its label.
        after = text[name_match.end() if name_match else 0 :].lstrip("\n").split("\n", 1)[0]
        name = _name_clean(after) if _is_name(_name_clean(after)) else ""
    if name_match and not name:
        following = text[name_match.start() :].split("\n")
        for line in following[1:3]:
            if _is_name(_name_clean(line)):
                name = _name_clean(line)
                break
    birth = None
    label = BIRTH_DATE.search(text)
    if label:
        date = DATE_NUMERIC.search(text, label.end())
        if date:
            birth = _date(date.group("d"), date.group("m"), date.group("y"))
    if number is None:
        return None
    parts = [number.group(1), name, birth or ""]
    confidences = [c for c in (words_confidence(p, words) for p in parts if p) if c is not None]
    return Field(
        "id_card",
        number.group(1),
        page,
        round(sum(confidences) / len(confidences), 1) if confidences else None,
        extra={"id_number": number.group(1), "full_name": name, "birth_date": birth},
    )


def document_fields(pages: Sequence[tuple[str, Sequence[Word]]]) -> list[dict[str, Any]]:
    """Every field of every page (1-based page numbers), as stored on the job."""
    return [
        f.as_dict()
        for i, (text, words) in enumerate(pages, 1)
        for f in page_fields(text, page=i, words=words)
    ]
