"""Catalogue search with 1,500 procedures loaded: p50/p99 and queries/s for ~20 realistic queries,
through (a) the selector (count + first page of 20 rows) and (b) the HTML page ``/thu-tuc/`` rendered
in-process by Django's test client (no network, no server: this measures Django + the database).

Run: ``python -m bench catalogue_search`` (the runner migrates an empty database first).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any, cast

from bench.stats import percentile

N_PROCEDURES = 1500
SELECTOR_ROUNDS = 10
PAGE_ROUNDS = 5

# (query, filters): with and without diacritics, codes, filters alone and combined.
QUERIES: list[tuple[str, dict[str, str]]] = [
    ("dang ky khai sinh", {}),
    ("Đăng ký khai sinh", {}),
    ("giấy phép xây dựng", {}),
    ("giay phep", {}),
    ("xuất bản", {}),
    ("khai tu", {}),
    ("tam tru", {"level": "commune"}),
    ("chứng thực", {"level": "commune"}),
    ("ho kinh doanh", {}),
    ("lý lịch tư pháp", {}),
    ("dat dai", {"level": "province"}),
    ("lao động", {}),
    ("kết hôn", {}),
    ("cấp lại", {"level": "province"}),
    ("1.001193", {}),
    ("tro cap", {}),
    ("", {"level": "province"}),
    ("", {"level": "commune"}),
    ("", {}),
    ("không có thủ tục này", {}),
]


def main() -> None:
    from django.db.models import Count

    from motcua.catalog.models import Field, ProcedureVersion

    started = time.perf_counter()
    _load(N_PROCEDURES)
    count = ProcedureVersion.objects.count()
    print(f"loaded {count} procedure versions in {time.perf_counter() - started:.1f} s")
    # A real field filter, picked from the loaded data, so the scenario fits any generator.
    busiest = (
        Field.objects.annotate(n=Count("versions")).order_by("-n").values_list("code", flat=True).first()
    )
    queries = [*QUERIES, ("", {"field_code": busiest or ""}), ("giay", {"field_code": busiest or ""})]

    rows = [
        ("selector: count + 20 rows", _measure_selector(queries)),
        ("HTML page /thu-tuc/ (test client)", _measure_page(queries)),
    ]
    _print_table(rows, len(queries))


def _load(n: int) -> None:
    try:
        from bench.catalogue_data import load
    except ImportError:  # the shared generator is missing: fall back to factories
        _fallback_load(n)
        return
    load(n)


def _fallback_load(n: int) -> None:
    """n published versions across fields, levels and online levels, with their folded search text."""
    from motcua.catalog.models import AdministrativeLevel, OnlineLevel, ProcedureVersion
    from motcua.catalog.search import version_search_text
    from motcua.testing.factories import AgencyFactory, FieldFactory, ProcedureVersionFactory

    names = [
        "Đăng ký khai sinh",
        "Đăng ký khai tử",
        "Đăng ký kết hôn",
        "Đăng ký tạm trú",
        "Chứng thực bản sao từ bản chính",
        "Cấp giấy phép xây dựng",
        "Đăng ký hộ kinh doanh",
        "Cấp phiếu lý lịch tư pháp",
        "Giao đất, cho thuê đất",
        "Cấp giấy phép lao động",
        "Hưởng trợ cấp xã hội hằng tháng",
        "Cấp giấy phép xuất bản bản tin",
    ]
    variations = ["", " (cấp lại)", " (điều chỉnh)", " cho tổ chức", " có yếu tố nước ngoài"]
    fields = [FieldFactory(code=f"BF{i:02d}", name=f"Lĩnh vực {i}") for i in range(25)]
    agency = AgencyFactory(code="000.00.02.H99", name="Sở Văn hóa, Thể thao và Du lịch")
    levels = [AdministrativeLevel.PROVINCE, AdministrativeLevel.COMMUNE]
    online = list(OnlineLevel)
    for i in range(n):
        version = cast(
            ProcedureVersion,
            ProcedureVersionFactory(
                name=f"{names[i % len(names)]}{variations[i // len(names) % len(variations)]} — mẫu {i}",
                field=fields[i % len(fields)],
                level=levels[i % 2],
                online_level=online[i % 3],
                competent_agency=agency,
            ),
        )
        version.search_text = version_search_text(version)
        version.save(update_fields=["search_text"])


def _measure_selector(queries: list[tuple[str, dict[str, str]]]) -> list[float]:
    from motcua.catalog.selectors import procedure_version_search

    def run(query: str, filters: dict[str, str]) -> Callable[[], object]:
        def once() -> object:
            qs = procedure_version_search(query=query, **filters)  # type: ignore[arg-type]
            return qs.count(), list(qs[:20])

        return once

    return _timed([run(q, f) for q, f in queries], SELECTOR_ROUNDS)


def _measure_page(queries: list[tuple[str, dict[str, str]]]) -> list[float]:
    from django.test import Client

    client = Client(SERVER_NAME="localhost")

    def run(query: str, filters: dict[str, str]) -> Callable[[], object]:
        params: dict[str, Any] = {"q": query}
        if "level" in filters:
            params["level"] = filters["level"]
        if "field_code" in filters:
            params["field"] = filters["field_code"]

        def once() -> object:
            response = client.get("/thu-tuc/", params)
            if response.status_code != 200:
                raise RuntimeError(f"/thu-tuc/ {params} answered {response.status_code}")
            return response

        return once

    return _timed([run(q, f) for q, f in queries], PAGE_ROUNDS)


def _timed(calls: list[Callable[[], object]], rounds: int) -> list[float]:
    for call in calls:  # warm-up: templates, query plans, translation catalogues
        call()
    samples = []
    for _ in range(rounds):
        for call in calls:
            t0 = time.perf_counter()
            call()
            samples.append((time.perf_counter() - t0) * 1000)
    return samples


def _print_table(rows: list[tuple[str, list[float]]], n_queries: int) -> None:
    print(
        f"{n_queries} queries (with/without diacritics, codes, field/level filters), one thread, in-process"
    )
    header = (
        f"| {'path':<36} | {'n':>5} | {'p50 ms':>8} | {'p99 ms':>8} | {'mean ms':>8} | {'queries/s':>9} |"
    )
    print(header)
    print("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    for name, samples in rows:
        mean = statistics.fmean(samples)
        p50, p99 = percentile(samples, 50), percentile(samples, 99)
        print(
            f"| {name:<36} | {len(samples):>5} | {p50:>8.2f} | {p99:>8.2f} "
            f"| {mean:>8.2f} | {1000 / mean:>9,.0f} |"
        )
