"""Digitisation (issue 16): pages/s of our pipeline on scanned A4 pages at 300 dpi beside plain
``ocrmypdf -l vie`` on the same pages in the same run (target ≥ 0.9×), and staff search p50/p99 over
100,000 documents (target p99 < 100 ms).

The pipeline does more than the plain command (deskew, page rotation, the hOCR copy and the fields), so
the ratio is what that costs. Runs alternate (plain, ours, plain, ours) and the better of each pair counts,
so a burst of load from other processes hurts neither side alone. Environment: MOTCUA_BENCH_OCR_PAGES
(default 4), MOTCUA_BENCH_SEARCH_DOCS (default 100000), MOTCUA_BENCH_SEARCH_QUERIES (default 300)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.stats import summary, timed

PAGES = int(os.environ.get("MOTCUA_BENCH_OCR_PAGES", "4"))
DOCS = int(os.environ.get("MOTCUA_BENCH_SEARCH_DOCS", "100000"))
QUERIES = int(os.environ.get("MOTCUA_BENCH_SEARCH_QUERIES", "300"))
DOCS_PER_DOSSIER = 10

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Xuân", "Thu"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hương", "Khánh", "Lan", "Mai", "Nam", "Phúc", "Quân", "Sơn"]
WORDS = [
    "giấy",
    "chứng",
    "nhận",
    "quyền",
    "sử",
    "dụng",
    "đất",
    "hộ",
    "kinh",
    "doanh",
    "đăng",
    "ký",
    "khai",
    "sinh",
    "kết",
    "hôn",
    "thường",
    "trú",
    "tạm",
    "trú",
    "xác",
    "nhận",
    "tình",
    "trạng",
    "hôn",
    "nhân",
    "giấy",
    "phép",
    "xây",
    "dựng",
    "nhà",
    "ở",
    "riêng",
    "lẻ",
    "hợp",
    "tác",
    "xã",
    "gốm",
    "làng",
    "nghề",
    "bản",
    "tin",
    "quyết",
    "định",
    "ủy",
    "ban",
    "nhân",
    "dân",
    "xã",
    "phường",
    "thị",
    "trấn",
    "sở",
    "văn",
    "hóa",
    "thể",
    "thao",
    "du",
    "lịch",
    "tài",
    "nguyên",
    "môi",
    "trường",
    "thôn",
    "ấp",
    "khu",
    "phố",
    "đường",
    "số",
    "nhà",
    "tỉnh",
    "huyện",
    "cấp",
    "đổi",
    "cấp",
    "lại",
    "chuyển",
    "nhượng",
    "thừa",
    "kế",
    "tặng",
    "cho",
    "thế",
    "chấp",
]


ONSETS = [
    "b",
    "c",
    "ch",
    "d",
    "đ",
    "g",
    "gi",
    "h",
    "k",
    "kh",
    "l",
    "m",
    "n",
    "ng",
    "nh",
    "ph",
    "qu",
    "r",
    "s",
    "t",
]
ONSETS += ["th", "tr", "v", "x"]
RIMES = [
    "a",
    "ai",
    "am",
    "an",
    "ang",
    "anh",
    "ao",
    "ăn",
    "âm",
    "ân",
    "âu",
    "e",
    "em",
    "en",
    "ê",
    "êm",
    "i",
    "im",
]
RIMES += [
    "in",
    "inh",
    "o",
    "oa",
    "oan",
    "oi",
    "om",
    "on",
    "ong",
    "ô",
    "ôi",
    "ông",
    "ơ",
    "ơi",
    "u",
    "uân",
    "ung",
    "ư",
]
RIMES += ["ưa", "ươn", "ương", "ướ", "ưu", "y", "yên"]


def _vocabulary() -> list[str]:
    """About a thousand syllables; documents draw them with a Zipf-like skew, as real text does."""
    return [o + r for o in ONSETS for r in RIMES] + WORDS


def _zipf_word(rng: random.Random, vocabulary: list[str]) -> str:
    return vocabulary[min(len(vocabulary) - 1, int(rng.paretovariate(0.8)) - 1)]


def _a4_lines(seed: int) -> list[str]:
    rng = random.Random(seed)
    lines = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "", "ĐƠN ĐỀ NGHỊ"]
    lines.append(f"Họ và tên: {rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}")
    lines.append(f"Số định danh cá nhân: 0{rng.randrange(10**10, 10**11)}")
    lines += [" ".join(rng.choice(WORDS) for _ in range(11)).capitalize() + "." for _ in range(30)]
    lines.append(f"Quảng Nam, ngày {rng.randrange(1, 28)} tháng {rng.randrange(1, 12)} năm 2026")
    return lines


def _scans(path: Path, *, upside_down: int = 0) -> None:
    """``PAGES`` A4 pages at 300 dpi, slightly rotated and noised, as one PDF of images (img2pdf); the first
    ``upside_down`` of them turned by 180°."""
    import img2pdf

    from motcua.testing.scans import image_bytes, scan_page

    images = [
        image_bytes(
            scan_page(
                _a4_lines(i),
                dpi=300,
                height_mm=297,
                font_pt=12,
                rotate=180.6 if i < upside_down else 0.6,
                noise=0.0005,
                seed=i,
            ),
            "JPEG",
            quality=85,
        )
        for i in range(PAGES)
    ]
    path.write_bytes(img2pdf.convert(images))


def ocr_throughput() -> None:
    from motcua.digitization.pipeline import Source, digitize

    jobs = os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="motcua-bench-ocr-"))
    scans = work / "scans.pdf"
    _scans(scans)
    ocrmypdf = str(Path(sys.executable).with_name("ocrmypdf"))
    plain: list[float] = []
    ours: list[float] = []
    for _ in range(2):
        started = time.perf_counter()
        subprocess.run(
            [ocrmypdf, "-l", "vie", "--jobs", str(jobs), "-q", str(scans), str(work / "plain.pdf")],
            check=True,
        )
        plain.append(time.perf_counter() - started)
        started = time.perf_counter()
        result = digitize([Source("scans.pdf", scans.read_bytes())], jobs=jobs)
        ours.append(time.perf_counter() - started)
    plain_rate, our_rate = PAGES / min(plain), PAGES / min(ours)
    words = sum(len(p.text.split()) for p in result.pages)
    print(f"A4 300 dpi scans, {PAGES} pages, --jobs {jobs}, {len(result.fields)} fields, {words} words")
    print(
        f"plain `ocrmypdf -l vie`: {plain_rate:.2f} pages/s (runs {', '.join(f'{s:.1f}' for s in plain)} s)"
    )
    print(
        f"pipeline (deskew, rotate, PDF/A, hOCR, fields): {our_rate:.2f} pages/s "
        f"(runs {', '.join(f'{s:.1f}' for s in ours)} s) — {our_rate / plain_rate:.2f}× plain (target ≥ 0.9×)"
    )
    # What a turned page costs: orientation is only asked of pages that read as turned, which are then
    # turned and read again (straighten.py).
    turned = work / "turned.pdf"
    _scans(turned, upside_down=1)
    started = time.perf_counter()
    result = digitize([Source("turned.pdf", turned.read_bytes())], jobs=jobs)
    seconds = time.perf_counter() - started
    upright = "CỘNG HÒA" in result.pages[0].text
    print(
        f"the same {PAGES} pages with the first one upside down: {PAGES / seconds:.2f} pages/s "
        f"({seconds:.1f} s, +{seconds - min(ours):.1f} s for the turned page; "
        f"read upright: {'yes' if upright else 'NO'})"
    )


def _search_data() -> object:
    """``DOCS`` OCR documents over ``DOCS / 10`` dossiers of one receiving centre, plus a clerk there."""
    import datetime as dt

    from django.utils import timezone

    from motcua.accounts.models import Role
    from motcua.digitization.models import SearchEntry
    from motcua.digitization.search import fold_aligned
    from motcua.dossiers.models import Dossier
    from motcua.testing.factories import (
        AgencyFactory,
        ProcedureVersionFactory,
        StaffFactory,
        StaffRoleFactory,
    )

    centre = AgencyFactory(code="000.00.99.H99", name="Trung tâm Phục vụ hành chính công (bench)")
    other = AgencyFactory(code="000.00.98.H99", name="Sở khác (bench)")
    version = ProcedureVersionFactory(competent_agency=centre)
    clerk = StaffFactory(username="bench-clerk")
    StaffRoleFactory(user=clerk, agency=centre, role=Role.ONE_STOP_CLERK)
    rng = random.Random(16)
    now = timezone.now()
    dossiers = []
    for i in range(DOCS // DOCS_PER_DOSSIER):
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        dossiers.append(
            Dossier(
                code=f"000.00.99.H99-260101-{i:06d}",
                procedure_version=version,
                channel="counter",
                status="processing",
                applicant_name=name,
                applicant_id_number=f"0{rng.randrange(10**10, 10**11)}",
                summary=" ".join(rng.choice(WORDS) for _ in range(8)),
                receiving_agency=centre if i % 2 == 0 else other,  # half out of the clerk's scope
                competent_agency=centre if i % 2 == 0 else other,
            )
        )
    Dossier.objects.bulk_create(dossiers, batch_size=2000)
    ids = list(Dossier.objects.filter(code__startswith="000.00.99.H99-260101-").values_list("pk", flat=True))
    batch: list[SearchEntry] = []
    vocabulary = _vocabulary()
    rng.shuffle(vocabulary)
    for n in range(DOCS):
        body = "\n".join(" ".join(_zipf_word(rng, vocabulary) for _ in range(12)) for _ in range(6))
        body += f"\nHọ và tên: {rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        batch.append(
            SearchEntry(
                dossier_id=ids[n % len(ids)],
                kind="document",
                title="Đơn đề nghị",
                body=body,
                folded=fold_aligned(body),
                indexed_at=now - dt.timedelta(seconds=n),
            )
        )
        if len(batch) == 5000:
            SearchEntry.objects.bulk_create(batch)
            batch = []
    SearchEntry.objects.bulk_create(batch)
    return clerk


def search_latency() -> None:
    from django.db import connection

    from motcua.digitization.search import search_dossiers, search_index_refresh
    from motcua.testing.scans import ID_CARD_LINES  # noqa: F401 - motcua.testing is importable here

    started = time.perf_counter()
    clerk = _search_data()
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    indexed = search_index_refresh()
    refresh = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"{DOCS:,} OCR documents + {indexed:,} dossiers indexed ({connection.vendor}); "
        f"load {loaded:.0f} s, dossier index refresh {refresh:.1f} s"
    )
    rng = random.Random(7)
    from motcua.digitization.models import SearchEntry
    from motcua.digitization.search import fold_aligned

    # Two words of a stored document (so every query has hits), or a surname and a given name.
    bodies = list(
        SearchEntry.objects.filter(kind="document").order_by("?").values_list("body", flat=True)[:QUERIES]
    )
    queries = []
    for i, body in enumerate(bodies):
        words = body.split()
        pick = f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}" if i % 3 == 0 else " ".join(rng.sample(words, 2))
        queries.append(fold_aligned(pick))
    queries_iter = iter(queries)
    hits = 0

    def one() -> None:
        nonlocal hits
        hits += len(search_dossiers(user=clerk, query=next(queries_iter), refresh=False))  # type: ignore[arg-type]

    samples = timed(one, QUERIES)
    print(
        f"search, 2-word unaccented queries, 20 hits, scoped to the clerk: {summary(samples)} "
        "(target p99 < 100 ms)"
    )
    print(f"(mean hits per query {hits / QUERIES:.1f})")
    started = time.perf_counter()
    search_index_refresh()
    print(f"index refresh with nothing changed: {(time.perf_counter() - started) * 1000:.1f} ms")


def main() -> None:
    if PAGES:
        ocr_throughput()
    if DOCS:
        search_latency()
