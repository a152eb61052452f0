"""Readiness checks behind ``/readyz``: each answers whether one part the service needs works now.

A load balancer takes a node out while ``/readyz`` answers 503, and the alert rules page someone; the
answer names the failing part. ``/healthz`` checks nothing but the process itself (a supervisor restarts
a process whose ``/healthz`` fails; restarting because PostgreSQL is down would not help)."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.db import connection

from motcua.core import clock

PROBE_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    seconds: float


def database_check() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        # A broken connection is dropped, so the next probe (and request) connects afresh.
        with contextlib.suppress(Exception):
            connection.close()
        raise
    return connection.vendor


def storage_check() -> str:
    """Write, read back and delete a small file through the storage API (disk or object storage)."""
    name = default_storage.save(f"readyz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name, "rb") as handle:
            if handle.read() != b"ok":
                raise OSError("storage returned other bytes than were written")
    finally:
        default_storage.delete(name)
    return type(storages["default"]).__name__


def tsa_check() -> str:
    """The time-stamp authority answers HTTP (any status: a TSA only takes POSTed requests)."""
    url = str(getattr(settings, "MOTCUA_TSA_URL", "") or "")
    if not url:
        return "in-process stand-in"
    parts = urlsplit(url)
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = connection_class(parts.hostname or "", parts.port, timeout=PROBE_TIMEOUT_SECONDS)
    try:
        conn.request("GET", parts.path or "/")
        status = conn.getresponse().status
    finally:
        conn.close()
    return f"HTTP {status}"


def task_backlog() -> tuple[int, float]:
    """Tasks ready to run and the age in seconds of the oldest of them (0 when none)."""
    from django.db.models import Count, Min
    from django_tasks_db.models import DBTaskResult

    found = DBTaskResult.objects.ready().aggregate(n=Count("id"), oldest=Min("enqueued_at"))
    oldest: dt.datetime | None = found["oldest"]
    age = (clock.now() - oldest).total_seconds() if oldest is not None else 0.0
    return int(found["n"]), max(age, 0.0)


def tasks_check() -> str:
    from django.tasks import task_backends
    from django_tasks_db import DatabaseBackend

    if not isinstance(task_backends["default"], DatabaseBackend):
        return "tasks run in-process"
    count, age = task_backlog()
    limit = int(settings.MOTCUA_READYZ_TASK_MAX_AGE_SECONDS)
    if limit and age > limit:
        raise RuntimeError(f"{count} tasks waiting, the oldest for {age:.0f} s (limit {limit} s)")
    return f"{count} waiting, oldest {age:.0f} s"


CHECKS: dict[str, Callable[[], str]] = {
    "database": database_check,
    "storage": storage_check,
    "tsa": tsa_check,
    "tasks": tasks_check,
}
# A check that cannot mean anything while another part is down is skipped (and counts as failing).
NEEDS = {"tasks": "database"}


def readiness() -> list[CheckResult]:
    results: dict[str, CheckResult] = {}
    for name, check in CHECKS.items():
        needed = NEEDS.get(name)
        if needed and not results[needed].ok:
            results[name] = CheckResult(name, False, f"skipped: {needed} unavailable", 0.0)
            continue
        started = time.perf_counter()
        try:
            detail, ok = check(), True
        except Exception as exc:
            detail, ok = f"{type(exc).__name__}: {exc}".strip(), False
        results[name] = CheckResult(name, ok, detail[:300], time.perf_counter() - started)
    return list(results.values())
