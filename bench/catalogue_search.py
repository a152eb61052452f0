"""Catalogue search p50/p99 with 1,500 procedures loaded: the selector and the HTML page (in-process)."""

from __future__ import annotations

import time

from bench.stats import summary

QUERIES = [
    ("dang ky khai sinh", {}),
    ("Đăng ký khai sinh", {}),
    ("giấy phép xây dựng", {}),
    ("giay phep", {}),
    ("xuất bản", {}),
    ("BTS", {}),
    ("tam tru", {"level": "commune"}),
    ("chứng thực", {"level": "commune"}),
    ("ho kinh doanh", {}),
    ("lý lịch tư pháp", {}),
    ("dat dai", {"level": "province"}),
    ("lao động", {}),
    ("", {"field_code": "G15-VH07"}),
    ("", {"level": "province"}),
    ("mẫu 1499", {}),
    ("tro cap", {}),
    ("bản tin", {"field_code": "G15-VH07"}),
    ("khai tu", {}),
    ("kết hôn nước ngoài", {}),
    ("in", {}),
]


def main() -> None:
    from django.test import Client

    from bench.catalogue_data import load
    from motcua.catalog.models import ProcedureVersion
    from motcua.catalog.selectors import procedure_version_search

    started = time.perf_counter()
    load(1500)
    count = ProcedureVersion.objects.count()
    print(f"loaded {count} procedure versions in {time.perf_counter() - started:.1f} s")
    samples = []
    for _ in range(10):
        for query, filters in QUERIES:
            t0 = time.perf_counter()
            qs = procedure_version_search(query=query, **filters)
            qs.count()
            list(qs[:20])
            samples.append((time.perf_counter() - t0) * 1000)
    rate = 1000 / (sum(samples) / len(samples))
    print(f"selector (count + first 20 rows): {summary(samples)}; {rate:,.0f} q/s")
    client = Client(SERVER_NAME="localhost")
    page_samples = []
    for _ in range(5):
        for query, filters in QUERIES:
            params = {"q": query}
            if "level" in filters:
                params["level"] = filters["level"]
            if "field_code" in filters:
                params["field"] = filters["field_code"]
            t0 = time.perf_counter()
            response = client.get("/thu-tuc/", params)
            assert response.status_code == 200
            page_samples.append((time.perf_counter() - t0) * 1000)
    print(f"HTML page /thu-tuc/?q=… (in-process): {summary(page_samples)}")
