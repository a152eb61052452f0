"""A synthetic catalogue of n procedures (valid import documents), built from the demo catalogue with
variations across fields, to load the search benchmark."""

from __future__ import annotations

import copy
import json
from typing import Any

VARIATIONS = [
    "",
    " (cấp lại)",
    " (điều chỉnh)",
    " cho tổ chức",
    " cho cá nhân",
    " có yếu tố nước ngoài",
    " (gia hạn)",
    " trong khu công nghiệp",
    " đối với hộ gia đình",
    " (trường hợp mất, hỏng)",
]


def generate_catalogue(n: int = 1500) -> dict[str, Any]:
    from motcua.catalog.demo import DEMO_FILE

    demo = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    base = [item for item in demo["THUTUC"] if item["PHIENBAN"]["HIEULUCDEN"] is None]
    items = []
    for i in range(n):
        item = copy.deepcopy(base[i % len(base)])
        variation = VARIATIONS[(i // len(base)) % len(VARIATIONS)]
        item["MATTHC"] = f"9.{i:06d}"
        item["MATTHCDP"] = f"9.{i:06d}.000.00.00.H99"
        item["TENTTHC"] = f"{item['TENTTHC']}{variation} — mẫu {i}"
        item["PHIENBAN"] = {**item["PHIENBAN"], "SO": 1}
        items.append(item)
    return {"DINHDANG": "motcua.catalogue/1", "THUTUC": items}


def load(n: int = 1500) -> int:
    from motcua.agencies.demo import load_demo_agencies
    from motcua.catalog.exchange import catalogue_import

    load_demo_agencies()
    report = catalogue_import(data=generate_catalogue(n))
    return report.procedures
