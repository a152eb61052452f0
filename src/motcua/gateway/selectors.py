"""Reads of the gateway: the registry for its browser, per-service health, the dead-letter list, the
message log and one message with its seal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet

from motcua.core import clock
from motcua.gateway.models import (
    Delivery,
    DeliveryState,
    Member,
    MessageLog,
    Outcome,
    Service,
    ServiceVersion,
)


def members_with_services() -> QuerySet[Member]:
    return Member.objects.prefetch_related(
        Prefetch("services", queryset=Service.objects.order_by("code")),
        "clients",
    ).order_by("code")


def service_detail(code: str) -> Service | None:
    return (
        Service.objects.select_related("provider")
        .prefetch_related(
            Prefetch("versions", queryset=ServiceVersion.objects.order_by("-published_at")),
            "grants__client__member",
        )
        .filter(code=code)
        .first()
    )


@dataclass(frozen=True)
class ServiceHealth:
    code: str
    name: str
    calls: int
    errors: int
    timeouts: int
    denied: int
    p50_ms: float | None
    p99_ms: float | None
    last_error: str


def _percentile(sorted_values: list[float], fraction: float) -> float | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def services_health(
    *, since: dt.timedelta = dt.timedelta(hours=1), sample: int = 5000
) -> list[ServiceHealth]:
    """Per service over the last hour: calls forwarded, provider errors and timeouts, refusals, and the
    latency through the gateway (p50/p99 of the newest ``sample`` calls)."""
    start = clock.now() - since
    rows = []
    for service in Service.objects.order_by("code"):
        logs = MessageLog.objects.filter(service_code=service.code, received_at__gte=start)
        outcomes = dict.fromkeys(Outcome.values, 0)
        for row in logs.values("outcome").annotate(n=Count("pk")).order_by():
            outcomes[row["outcome"]] = row["n"]
        durations = sorted(
            d
            for d in logs.filter(outcome__in=[Outcome.OK, Outcome.UPSTREAM_ERROR, Outcome.TIMEOUT])
            .exclude(duration_ms__isnull=True)
            .order_by("-received_at")
            .values_list("duration_ms", flat=True)[:sample]
            if d is not None
        )
        last_error = (
            logs.filter(outcome__in=[Outcome.UPSTREAM_ERROR, Outcome.TIMEOUT])
            .order_by("-received_at")
            .values_list("error", flat=True)
            .first()
        )
        rows.append(
            ServiceHealth(
                code=service.code,
                name=service.name,
                calls=outcomes[Outcome.OK] + outcomes[Outcome.UPSTREAM_ERROR] + outcomes[Outcome.TIMEOUT],
                errors=outcomes[Outcome.UPSTREAM_ERROR],
                timeouts=outcomes[Outcome.TIMEOUT],
                denied=outcomes[Outcome.DENIED] + outcomes[Outcome.RATE_LIMITED] + outcomes[Outcome.REJECTED],
                p50_ms=_percentile(durations, 0.50),
                p99_ms=_percentile(durations, 0.99),
                last_error=last_error or "",
            )
        )
    return rows


def dead_letters() -> QuerySet[Delivery]:
    return Delivery.objects.select_related("log").filter(state=DeliveryState.DEAD).order_by("-updated_at")


def deliveries_waiting() -> QuerySet[Delivery]:
    return (
        Delivery.objects.select_related("log").filter(state=DeliveryState.WAITING).order_by("next_attempt_at")
    )


# --- the message log, for administrators and integrators (/lgsp/nhat-ky/) --------------------------

MESSAGES_SHOWN = 200


def messages_log(
    *, service: str = "", client: str = "", outcome: str = "", message_id: str = ""
) -> QuerySet[MessageLog]:
    """The newest exchanges first, filtered; the bodies are not loaded (they may hold personal data)."""
    logs = MessageLog.objects.defer("request_body", "response_body").order_by("-received_at", "-pk")
    if service:
        logs = logs.filter(service_code=service)
    if client:
        logs = logs.filter(client_code=client)
    if outcome:
        logs = logs.filter(outcome=outcome)
    if message_id:
        logs = logs.filter(message_id=message_id)
    return logs


def message_detail(pk: int) -> MessageLog | None:
    return MessageLog.objects.select_related("batch").filter(pk=pk).first()


def service_carries_personal_data(code: str) -> bool:
    return Service.objects.filter(code=code, personal_data=True).exists()
