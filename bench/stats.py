"""Small helpers for benchmark figures."""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary(samples_ms: list[float]) -> str:
    return (
        f"p50 {percentile(samples_ms, 50):.2f} ms, p99 {percentile(samples_ms, 99):.2f} ms, "
        f"mean {statistics.fmean(samples_ms):.2f} ms, n={len(samples_ms)}"
    )


def wrk_figures(out: str) -> dict[str, str]:
    """The figures of a ``wrk --latency`` report ("0" for those it did not print)."""
    figures = {
        "rps": re.search(r"Requests/sec:\s+([\d.]+)", out),
        "p50": re.search(r"\s50%\s+(\S+)", out),
        "p99": re.search(r"\s99%\s+(\S+)", out),
        "non2xx": re.search(r"Non-2xx or 3xx responses: (\d+)", out),
        "requests": re.search(r"(\d+) requests in", out),
        "socket_errors": re.search(r"Socket errors: (.*)", out),
        "late": re.search(r"late sends: (.*)", out),
    }
    return {k: (m.group(1).strip() if m else "0") for k, m in figures.items()}


def cpu_times() -> tuple[int, int]:
    """(all CPU ticks, ticks stolen by the hypervisor) so far, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields[:8]), fields[7]


def steal_since(before: tuple[int, int]) -> str:
    """The share of CPU time the hypervisor gave to other guests since ``before`` (a shared VM)."""
    total, stolen = (after - earlier for after, earlier in zip(cpu_times(), before, strict=True))
    return f"{100 * stolen / max(1, total):.1f} %"
