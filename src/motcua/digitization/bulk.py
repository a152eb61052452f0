"""Digitising archives from the command line (``motcua digitize``): files and folders in, for each file a
PDF/A beside it (``<name>.pdfa.pdf``; the original is kept) and one result record. Files run in parallel
worker processes (``--workers``), each giving OCRmyPDF its share of the CPUs."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from motcua.digitization.pipeline import DigitizationError, Source, digitize

SUFFIXES = frozenset({".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff"})
OUTPUT_SUFFIX = ".pdfa.pdf"


def files_expand(paths: Iterable[Path]) -> list[Path]:
    """The files named and those under the folders named (sorted), skipping our own outputs."""
    found: list[Path] = []
    for path in paths:
        candidates = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        found += [
            p
            for p in candidates
            if p.suffix.lower() in SUFFIXES and not p.name.lower().endswith(OUTPUT_SUFFIX)
        ]
    return found


def output_path(path: Path) -> Path:
    return path.with_name(path.stem + OUTPUT_SUFFIX)


def file_digitize(path: Path, jobs: int) -> dict[str, Any]:
    """One file through the pipeline; the record the command prints (an ``error`` instead on failure)."""
    record: dict[str, Any] = {"file": str(path)}
    try:
        data = path.read_bytes()
        result = digitize([Source(path.name, data)], jobs=jobs)
    except DigitizationError as exc:
        return record | {"error": exc.message, "error_en": exc.message_en}
    except OSError as exc:
        return record | {"error": str(exc), "error_en": str(exc)}
    out = output_path(path)
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(result.pdf)
    tmp.replace(out)  # never a half-written output under the final name
    return record | {
        "pages": len(result.pages),
        "text": result.text,
        "fields": result.fields,
        "output": str(out),
        "seconds": round(result.seconds, 2),
        "sha256": hashlib.sha256(data).hexdigest(),
        "output_sha256": hashlib.sha256(result.pdf).hexdigest(),
        "warnings": [p.warning_en for p in result.pages if p.warning_en],
    }


def files_digitize(files: list[Path], *, workers: int) -> Iterator[dict[str, Any]]:
    """Records in the order the files finish."""
    cpus = os.cpu_count() or 1
    workers = max(1, min(workers, len(files) or 1))
    jobs = max(1, cpus // workers)
    if workers == 1:
        for path in files:
            yield file_digitize(path, jobs)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(file_digitize, path, jobs) for path in files]
        from concurrent.futures import as_completed

        for future in as_completed(futures):
            yield future.result()
