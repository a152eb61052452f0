"""Prometheus metrics (prometheus-client).

Two kinds: counters and histograms of the HTTP requests each process served (``MetricsMiddleware``), and
gauges read from the database when ``/metrics`` is scraped (the task queue, dossiers, issued documents,
messages waiting). granian runs several worker processes: with ``PROMETHEUS_MULTIPROC_DIR`` set (the
systemd units do), each writes its counters there and any worker's ``/metrics`` adds them all up;
without it a scrape sees the counters of the worker that answered only."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from motcua.core import clock

REQUESTS = Counter(
    "motcua_http_requests",
    "HTTP requests answered, by route (the URL pattern), method and status code.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "motcua_http_request_duration_seconds",
    "Time to answer an HTTP request, by route and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
UNMATCHED = "<unmatched>"


def request_route(request: HttpRequest) -> str:
    """The URL pattern, not the path: ``dossiers/<str:code>/`` keeps the label set small."""
    match = getattr(request, "resolver_match", None)
    route = getattr(match, "route", None)
    return f"/{route}" if route is not None else UNMATCHED


class MetricsMiddleware:
    """Counts and times every request. Second in the list, after the request id: it sees outage answers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        route = request_route(request)
        method = request.method or ""
        LATENCY.labels(route, method).observe(time.perf_counter() - started)
        REQUESTS.labels(route, method, str(response.status_code)).inc()
        return response


class DatabaseCollector(Collector):
    """Gauges read from the database at scrape time (one process answers a scrape: no double counting)."""

    def collect(self) -> Iterator[Metric]:
        yield from _task_metrics()
        yield from _dossier_metrics()
        yield from _document_metrics()
        yield from _notification_metrics()


def _task_metrics() -> Iterator[Metric]:
    from django_tasks_db.models import DBTaskResult

    depth = GaugeMetricFamily(
        "motcua_tasks", "Background tasks (django-tasks-db) by queue and status.", labels=["queue", "status"]
    )
    for row in DBTaskResult.objects.values("queue_name", "status").annotate(n=Count("id")).order_by():
        depth.add_metric([row["queue_name"], row["status"]], row["n"])
    yield depth
    age = GaugeMetricFamily(
        "motcua_tasks_ready_oldest_age_seconds",
        "Age of the oldest task ready to run, by queue (0 when the queue is empty).",
        labels=["queue"],
    )
    now = clock.now()
    ready = DBTaskResult.objects.ready().values("queue_name").annotate(oldest=Min("enqueued_at")).order_by()
    for oldest in ready:
        age.add_metric([oldest["queue_name"]], max((now - oldest["oldest"]).total_seconds(), 0.0))
    yield age


def _dossier_metrics() -> Iterator[Metric]:
    from motcua.dossiers.models import Dossier

    by_status = GaugeMetricFamily("motcua_dossiers", "Dossiers by status.", labels=["status"])
    for row in Dossier.objects.values("status").annotate(n=Count("id")).order_by():
        by_status.add_metric([row["status"]], row["n"])
    yield by_status
    # Monotonic (dossiers are never deleted): rate() of it is the submissions per second.
    submitted = Dossier.objects.filter(submitted_at__isnull=False).count()
    yield GaugeMetricFamily("motcua_dossiers_submitted", "Dossiers submitted, all time.", value=submitted)


def _document_metrics() -> Iterator[Metric]:
    from motcua.signatures.models import IssuedDocument, SigningRequest

    issued = GaugeMetricFamily(
        "motcua_issued_documents", "Documents issued (signed results, receipts), by kind.", labels=["kind"]
    )
    for row in IssuedDocument.objects.values("kind").annotate(n=Count("id")).order_by():
        issued.add_metric([row["kind"]], row["n"])
    yield issued
    requests = GaugeMetricFamily("motcua_signing_requests", "Signing requests by status.", labels=["status"])
    for status in SigningRequest.objects.values("status").annotate(n=Count("id")).order_by():
        requests.add_metric([status["status"]], status["n"])
    yield requests


def _notification_metrics() -> Iterator[Metric]:
    from motcua.notifications.models import Notification

    by_status = GaugeMetricFamily(
        "motcua_notifications",
        "Messages to citizens (SMS, e-mail) by channel and status: the outgoing sync backlog.",
        labels=["channel", "status"],
    )
    for row in Notification.objects.values("channel", "status").annotate(n=Count("id")).order_by():
        by_status.add_metric([row["channel"], row["status"]], row["n"])
    yield by_status


def metrics_exposition() -> bytes:
    """The text exposition of every metric: this process's (or all workers') plus the database gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        process_registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(process_registry)  # type: ignore[no-untyped-call]
    else:
        process_registry = REGISTRY
    database_registry = CollectorRegistry(auto_describe=False)
    database_registry.register(DatabaseCollector())
    return generate_latest(process_registry) + generate_latest(database_registry)
