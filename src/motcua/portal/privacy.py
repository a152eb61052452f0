"""The privacy notice's law-dependent words: citations of the legal bases and the time limits for a data
subject's requests, built from ``portal/data/privacy_notice.json`` (see ``selectors.privacy_notice_rules``).

Pure functions over that data: the templates hold the prose, one per language, and never a number or an
article that the law could change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from motcua.portal.presentation import duration


def citation(basis: dict[str, Any], sources: dict[str, Any], *, english: bool) -> str:
    """ "điểm a khoản 1 Điều 4 Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15" or
    "Article 4(1)(a) of the Law on Personal Data Protection No. 91/2025/QH15" (each source's short
    citation; the full titles are listed once, under the notice)."""
    source: dict[str, str] = sources[basis["source"]]
    article, clause, point = basis.get("article"), basis.get("clause"), basis.get("point")
    if english:
        title = source["cite_en"]
        if not article:
            return title[0].upper() + title[1:]
        where = f"Article {article}" + (f"({clause})" if clause else "") + (f"({point})" if point else "")
        return f"{where} of {title}"
    title = source["cite_vi"]
    if not article:
        return title
    parts = [f"điểm {point}" if point else "", f"khoản {clause}" if clause else "", f"Điều {article}"]
    return " ".join(p for p in parts if p) + " " + title


def notice_context(rules: dict[str, Any], *, english: bool) -> dict[str, Any]:
    """What the notice templates need: one citation per legal basis, one worded limit per request."""
    sources = rules["sources"]
    cite = {key: citation(basis, sources, english=english) for key, basis in rules["legal_basis"].items()}
    limits = {
        item["request"]: {
            "text": duration(Decimal(item["limit"]), item["unit"]),
            "extensions": item.get("extensions", 0),
            "cite": citation(item, sources, english=english),
        }
        for item in rules["request_time_limits"]
    }
    source_list = [
        {
            "number": s["number"],
            "title": s["title_en"] if english else s["title_vi"],
            "effective_from": dt.date.fromisoformat(s["effective_from"]),
        }
        for s in sources.values()
    ]
    return {
        "rules": rules,
        "effective_from": dt.date.fromisoformat(rules["effective_from"]),
        "cite": cite,
        "limits": limits,
        "sources": source_list,
    }
