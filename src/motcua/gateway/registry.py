"""Registry look-ups on the hot path, cached per process for ``MOTCUA_GATEWAY_REGISTRY_CACHE_SECONDS``
(5 s; a change made in this process drops the cache at once, other processes see it within that time)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.conf import settings

from motcua.gateway.models import Client, Service


@dataclass(frozen=True)
class ClientView:
    pk: int
    client_id: str
    member_code: str
    member_name: str
    granted: frozenset[str]
    rate_per_second: int
    burst: int
    active: bool


@dataclass(frozen=True)
class ServiceView:
    code: str
    name: str
    version: str
    upstream_url: str
    personal_data: bool
    timeout_seconds: float
    active: bool


_lock = threading.Lock()
_clients: dict[str, tuple[float, ClientView | None]] = {}
_services: dict[str, tuple[float, ServiceView | None]] = {}


def _ttl() -> float:
    return float(getattr(settings, "MOTCUA_GATEWAY_REGISTRY_CACHE_SECONDS", 5))


def registry_cache_clear() -> None:
    with _lock:
        _clients.clear()
        _services.clear()


def client_view(client_id: str) -> ClientView | None:
    now = time.monotonic()
    hit = _clients.get(client_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    client = Client.objects.select_related("member").filter(client_id=client_id).first()
    view = None
    if client is not None:
        view = ClientView(
            pk=client.pk,
            client_id=client.client_id,
            member_code=client.member.code,
            member_name=client.member.name,
            granted=frozenset(
                client.grants.filter(service__active=True).values_list("service__code", flat=True)
            ),
            rate_per_second=client.rate_limit_per_second,
            burst=client.rate_limit_burst,
            active=client.active and client.member.active,
        )
    if _ttl() > 0:
        with _lock:
            _clients[client_id] = (now + _ttl(), view)
    return view


def service_view(code: str) -> ServiceView | None:
    now = time.monotonic()
    hit = _services.get(code)
    if hit is not None and hit[0] > now:
        return hit[1]
    service = Service.objects.filter(code=code).first()
    view = None
    if service is not None:
        view = ServiceView(
            code=service.code,
            name=service.name,
            version=service.version,
            upstream_url=service.upstream_url,
            personal_data=service.personal_data,
            timeout_seconds=service.timeout_seconds,
            active=service.active,
        )
    if _ttl() > 0:
        with _lock:
            _services[code] = (now + _ttl(), view)
    return view
