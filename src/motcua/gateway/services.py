"""Writes of the gateway: the registry (members, services and their versions, clients, grants), tokens, and
the exchange itself — check, forward, log, sign — plus the batch time-stamping of the log and the
asynchronous deliveries with their dead-letter list (docs/integration.md)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from motcua.core import clock
from motcua.core.errors import ConflictError, NotFoundError, ValidationFailedError
from motcua.gateway import evidence as ev
from motcua.gateway.forwarding import UpstreamFailure, UpstreamTimeout, forward, upstream_url
from motcua.gateway.keys import gateway_key
from motcua.gateway.models import (
    AccessToken,
    Client,
    Delivery,
    DeliveryState,
    DescriptionFormat,
    Grant,
    Member,
    MemberKind,
    MessageLog,
    Outcome,
    Service,
    ServiceVersion,
    StampBatch,
)
from motcua.gateway.personal_data import GatewayRead, gateway_reads, own_client_ids, subjects_of
from motcua.gateway.ratelimit import rate_limit_take
from motcua.gateway.registry import ClientView, ServiceView, client_view, registry_cache_clear, service_view

logger = logging.getLogger(__name__)

# Bodies larger than this are refused (413) before anything is forwarded or logged.
MAX_BODY_BYTES = 10 * 1024 * 1024
FINAL_OUTCOMES = (
    Outcome.OK,
    Outcome.UPSTREAM_ERROR,
    Outcome.TIMEOUT,
    Outcome.DENIED,
    Outcome.REJECTED,
    Outcome.RATE_LIMITED,
)


# --- errors in the contract's shape ---------------------------------------------------------------


class GatewayError(Exception):
    """An answer of the gateway itself: ``{"error", "message", "message_en"}`` with ``status``."""

    def __init__(
        self, status: int, code: str, message: str, message_en: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message_en)
        self.status = status
        self.code = code
        self.message = message
        self.message_en = message_en
        self.headers = headers or {}

    def body(self) -> bytes:
        return json.dumps(
            {"error": self.code, "message": self.message, "message_en": self.message_en}, ensure_ascii=False
        ).encode()


class OAuthError(Exception):
    """RFC 6749 §5.2 error answers of the token endpoint."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description


# --- registry -------------------------------------------------------------------------------------


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def member_upsert(
    *, code: str, name: str, kind: str = MemberKind.PROVINCE, organisation_code: str = "", contact: str = ""
) -> Member:
    member, _ = Member.objects.update_or_create(
        code=code,
        defaults={"name": name, "kind": kind, "organisation_code": organisation_code, "contact": contact},
    )
    registry_cache_clear()
    return member


def service_upsert(
    *,
    code: str,
    provider: Member,
    name: str,
    upstream_url: str,
    version: str = "1",
    description: dict[str, Any] | None = None,
    description_format: str = DescriptionFormat.OPENAPI,
    personal_data: bool = False,
    timeout_seconds: float = 10.0,
) -> Service:
    """Registers a service or publishes a new version of it (the registry keeps every version)."""
    service, _ = Service.objects.update_or_create(
        code=code,
        defaults={
            "provider": provider,
            "name": name,
            "upstream_url": upstream_url,
            "version": version,
            "description": description or {},
            "description_format": description_format,
            "personal_data": personal_data,
            "timeout_seconds": timeout_seconds,
            "active": True,
        },
    )
    ServiceVersion.objects.update_or_create(
        service=service,
        version=version,
        defaults={
            "upstream_url": upstream_url,
            "description": description or {},
            "description_format": description_format,
            "published_at": clock.now(),
        },
    )
    registry_cache_clear()
    return service


def client_create(
    *,
    member: Member,
    client_id: str,
    secret: str | None = None,
    rate_limit_per_second: int = 50,
    rate_limit_burst: int = 100,
) -> tuple[Client, str]:
    """A client with a new random secret (or ``secret``, for the demo's published one); returns it once."""
    secret = secret or secrets.token_urlsafe(32)
    client, _ = Client.objects.update_or_create(
        client_id=client_id,
        defaults={
            "member": member,
            "secret_hash": _hash_secret(secret),
            "rate_limit_per_second": rate_limit_per_second,
            "rate_limit_burst": rate_limit_burst,
            "active": True,
        },
    )
    registry_cache_clear()
    return client, secret


def client_secret_rotate(*, client: Client, grace: dt.timedelta = dt.timedelta(hours=24)) -> str:
    """A new secret; the old one still gets tokens for ``grace`` (0: not at all), tokens already issued
    keep working until they expire."""
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    client.previous_secret_hash = client.secret_hash if grace > dt.timedelta(0) else ""
    client.previous_valid_until = now + grace if grace > dt.timedelta(0) else None
    client.secret_hash = _hash_secret(secret)
    client.secret_rotated_at = now
    client.save(
        update_fields=["previous_secret_hash", "previous_valid_until", "secret_hash", "secret_rotated_at"]
    )
    return secret


def grant_add(*, client: Client, service: Service, legal_basis: str = "") -> Grant:
    grant, _ = Grant.objects.get_or_create(
        client=client, service=service, defaults={"legal_basis": legal_basis}
    )
    registry_cache_clear()
    return grant


def grant_remove(*, client: Client, service: Service) -> None:
    Grant.objects.filter(client=client, service=service).delete()
    registry_cache_clear()


# --- tokens ---------------------------------------------------------------------------------------


def token_issue(*, client_id: str, client_secret: str, scope: str = "") -> dict[str, Any]:
    client = Client.objects.select_related("member").filter(client_id=client_id).first()
    now = clock.now()
    if client is None or not client.active or not client.member.active:
        raise OAuthError(401, "invalid_client", "unknown or inactive client")
    given = _hash_secret(client_secret)
    valid = hmac.compare_digest(given, client.secret_hash) or (
        bool(client.previous_secret_hash)
        and client.previous_valid_until is not None
        and client.previous_valid_until > now
        and hmac.compare_digest(given, client.previous_secret_hash)
    )
    if not valid:
        raise OAuthError(401, "invalid_client", "client authentication failed")
    granted = set(client.grants.filter(service__active=True).values_list("service__code", flat=True))
    wanted = set(scope.split()) if scope.strip() else granted
    if not wanted <= granted:
        raise OAuthError(400, "invalid_scope", "not granted: " + " ".join(sorted(wanted - granted)))
    raw = secrets.token_urlsafe(32)
    lifetime = client.token_lifetime_seconds
    AccessToken.objects.create(
        token_hash=_hash_secret(raw),
        client=client,
        scopes=sorted(wanted),
        issued_at=now,
        expires_at=now + dt.timedelta(seconds=lifetime),
    )
    return {
        "access_token": raw,
        "token_type": "Bearer",
        "expires_in": lifetime,
        "scope": " ".join(sorted(wanted)),
    }


_token_cache_lock = threading.Lock()
_token_cache: dict[str, tuple[float, str, frozenset[str], dt.datetime]] = {}


def token_cache_clear() -> None:
    with _token_cache_lock:
        _token_cache.clear()


def token_revoke(*, client: Client) -> int:
    count = AccessToken.objects.filter(client=client, revoked=False).update(revoked=True)
    token_cache_clear()
    return count


def _token_client(raw: str) -> tuple[ClientView, frozenset[str]] | None:
    digest = _hash_secret(raw)
    now_mono = time.monotonic()
    hit = _token_cache.get(digest)
    if hit is None or hit[0] <= now_mono:
        row = (
            AccessToken.objects.filter(token_hash=digest, revoked=False)
            .values_list("client__client_id", "scopes", "expires_at")
            .first()
        )
        if row is None:
            return None
        hit = (
            now_mono + float(getattr(settings, "MOTCUA_GATEWAY_TOKEN_CACHE_SECONDS", 10)),
            row[0],
            frozenset(row[1]),
            row[2],
        )
        with _token_cache_lock:
            _token_cache[digest] = hit
    if hit[3] <= clock.now():
        return None
    client = client_view(hit[1])
    if client is None or not client.active:
        return None
    return client, hit[2]


# --- the exchange ---------------------------------------------------------------------------------


@dataclass
class Incoming:
    method: str
    service_code: str
    rest: str
    query: str
    body: bytes
    content_type: str
    authorization: str
    message_id: str
    purpose: str
    prefer_async: bool = False


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def record_of(log: MessageLog) -> dict[str, Any]:
    """The canonical record of one exchange: what ``content_hash`` covers (evidence.py)."""
    return {
        "v": ev.RECORD_VERSION,
        "message_id": log.message_id,
        "client": log.client_code,
        "member": log.member_code,
        "service": log.service_code,
        "service_version": log.service_version,
        "method": log.method,
        "path": log.path,
        "query": log.query,
        "purpose": log.purpose,
        "request_content_type": log.request_content_type,
        "request_body_sha256": ev.sha256_hex(bytes(log.request_body)),
        "status": log.status_code,
        "response_content_type": log.response_content_type,
        "response_body_sha256": ev.sha256_hex(bytes(log.response_body)),
        "outcome": log.outcome,
        "error": log.error,
        "received_at": ev.timestamp_text(log.received_at),
        "answered_at": ev.timestamp_text(log.answered_at),
    }


def _seal(log: MessageLog) -> None:
    """Content hash and the gateway's signature over it (the chain and time-stamp come in the batch)."""
    log.content_hash = ev.sha256_hex(ev.canonical(record_of(log)))
    log.signature = base64.b64encode(gateway_key().key.sign(bytes.fromhex(log.content_hash))).decode()


def _answer_of(log: MessageLog, *, replay: bool) -> Answer:
    headers = {"X-Message-Id": log.message_id}
    if replay:
        headers["X-Gateway-Replay"] = "1"
    if log.outcome == Outcome.QUEUED:
        state = getattr(getattr(log, "delivery", None), "state", DeliveryState.WAITING)
        body = json.dumps({"message_id": log.message_id, "status": "queued", "delivery": state}).encode()
        return Answer(202, "application/json", body, headers)
    return Answer(log.status_code or 502, log.response_content_type, bytes(log.response_body), headers)


def _log_refusal(
    incoming: Incoming, error: GatewayError, *, received: dt.datetime, client: ClientView | None, outcome: str
) -> None:
    now = clock.now()
    log = MessageLog(
        message_id=incoming.message_id[:128],
        client_code=client.client_id if client else "",
        member_code=client.member_code if client else "",
        service_code=incoming.service_code[:64],
        method=incoming.method,
        path=incoming.rest[:1000],
        query=incoming.query[:2000],
        purpose=incoming.purpose[:500],
        request_content_type=incoming.content_type[:255],
        request_body=incoming.body,
        status_code=error.status,
        response_content_type="application/json",
        response_body=error.body(),
        outcome=outcome,
        error=error.message_en[:500],
        replayable=False,
        received_at=received,
        answered_at=now,
        duration_ms=(now - received).total_seconds() * 1000,
    )
    _seal(log)
    log.save(force_insert=True)


def _savepoint() -> contextlib.AbstractContextManager[Any]:
    # In autocommit an INSERT that breaks the unique constraint fails alone; inside a transaction (a test,
    # a caller's atomic block) it needs a savepoint so that the transaction survives.
    return transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()


def exchange(incoming: Incoming) -> Answer:
    """One call through the gateway: authenticate, authorise (deny by default), limit, answer a repeated
    message id from the log, else forward and log the exchange (signed). Refusals are logged too."""
    received = clock.now()
    client: ClientView | None = None
    try:
        if not incoming.message_id or len(incoming.message_id) > 128:
            raise GatewayError(
                400,
                "invalid_request",
                "Thiếu hoặc sai tiêu đề X-Message-Id.",
                "X-Message-Id header missing or longer than 128 characters.",
            )
        scheme, _, raw = incoming.authorization.partition(" ")
        found = _token_client(raw.strip()) if scheme.lower() == "bearer" and raw.strip() else None
        if found is None:
            raise GatewayError(
                401,
                "invalid_token",
                "Mã truy cập không hợp lệ hoặc đã hết hạn.",
                "The access token is invalid or has expired.",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        client, scopes = found
        service = service_view(incoming.service_code)
        if service is None or not service.active:
            raise GatewayError(
                404,
                "unknown_service",
                "Không có dịch vụ này trên nền tảng.",
                f"No service {incoming.service_code!r} on the gateway.",
            )
        if service.code not in client.granted or service.code not in scopes:
            raise GatewayError(
                403,
                "access_denied",
                "Ứng dụng chưa được cấp quyền dùng dịch vụ này.",
                f"Client {client.client_id} has no grant for service {service.code}.",
            )
        if service.personal_data and not incoming.purpose.strip():
            raise GatewayError(
                400,
                "purpose_required",
                "Dịch vụ có dữ liệu cá nhân: phải nêu mục đích (tiêu đề X-Purpose).",
                "This service carries personal data: state the purpose (X-Purpose header).",
            )
        wait = rate_limit_take(client.client_id, rate=client.rate_per_second, burst=client.burst)
        if wait > 0:
            raise GatewayError(
                429,
                "rate_limited",
                "Vượt giới hạn số yêu cầu; vui lòng thử lại sau.",
                "Rate limit exceeded; retry later.",
                headers={"Retry-After": str(max(1, round(wait + 0.5)))},
            )
    except GatewayError as error:
        outcome = {403: Outcome.DENIED, 429: Outcome.RATE_LIMITED}.get(error.status, Outcome.REJECTED)
        _log_refusal(incoming, error, received=received, client=client, outcome=outcome)
        headers = (
            {"X-Message-Id": incoming.message_id, **error.headers} if incoming.message_id else error.headers
        )
        return Answer(error.status, "application/json", error.body(), headers)

    log = MessageLog(
        message_id=incoming.message_id,
        client_code=client.client_id,
        member_code=client.member_code,
        service_code=service.code,
        service_version=service.version,
        method=incoming.method,
        path=incoming.rest[:1000],
        query=incoming.query[:2000],
        purpose=incoming.purpose[:500],
        request_content_type=incoming.content_type[:255],
        request_body=incoming.body,
        outcome=Outcome.QUEUED if incoming.prefer_async else Outcome.PENDING,
        asynchronous=incoming.prefer_async,
        received_at=received,
    )
    try:
        with _savepoint():
            log.save(force_insert=True)
    except IntegrityError:
        earlier = (
            MessageLog.objects.select_related("delivery")
            .filter(client_code=client.client_id, message_id=incoming.message_id, replayable=True)
            .first()
        )
        if earlier is None:  # pragma: no cover - the row that collided is gone again
            raise
        if earlier.outcome == Outcome.PENDING:
            busy = GatewayError(
                409,
                "message_in_progress",
                "Thông điệp này đang được xử lý.",
                "This message id is being processed.",
            )
            return Answer(409, "application/json", busy.body(), {"X-Message-Id": incoming.message_id})
        return _answer_of(earlier, replay=True)

    if incoming.prefer_async:
        Delivery.objects.create(log=log, next_attempt_at=received)
        return _answer_of(log, replay=False)
    if _deliver(log, service_timeout=service.timeout_seconds, upstream_base=service.upstream_url):
        _personal_data_read_report(log, client=client, service=service)
    return _answer_of(log, replay=False)


def _read_of(log: MessageLog, *, member_name: str, service_name: str) -> GatewayRead | None:
    """The personal-data read an exchange was, with the citizens it named; None when it named none."""
    ids, codes = subjects_of(
        query=log.query,
        request_body=bytes(log.request_body),
        request_type=log.request_content_type,
        response_body=bytes(log.response_body),
        response_type=log.response_content_type,
    )
    if not ids and not codes:
        return None
    return GatewayRead(
        at=log.answered_at or clock.now(),
        message_id=log.message_id,
        client_id=log.client_code,
        member_code=log.member_code,
        member_name=member_name,
        service_code=log.service_code,
        service_name=service_name,
        method=log.method,
        path=log.path,
        # HTTP headers are Latin-1: a Vietnamese purpose travels percent-encoded (docs/integration.md).
        purpose=urllib.parse.unquote(log.purpose),
        subject_id_numbers=ids,
        dossier_codes=codes,
    )


def _personal_data_read_report(log: MessageLog, *, client: ClientView, service: ServiceView) -> None:
    """A client system read personal data through us: tell the citizen's record (gateway.personal_data).
    After the answer is logged: a failure here is logged loudly, the exchange itself stands (the signed
    message log still holds who asked what, for which purpose)."""
    reads = gateway_reads()
    if (
        reads is None
        or not service.personal_data
        or not 200 <= (log.status_code or 0) < 300
        or client.client_id in own_client_ids()
    ):
        return
    read = _read_of(log, member_name=client.member_name, service_name=service.name)
    if read is None:
        return
    try:
        with _savepoint():
            reads.gateway_read_record(read)
    except Exception:
        logger.exception("gateway: recording the personal-data read of message %s failed", log.message_id)


def _upstream_headers(log: MessageLog) -> dict[str, str]:
    headers = {"X-Gateway-Client": log.member_code, "X-Message-Id": log.message_id}
    if log.request_content_type:
        headers["Content-Type"] = log.request_content_type
    if log.purpose:
        headers["X-Purpose"] = log.purpose
    return headers


def _deliver(log: MessageLog, *, service_timeout: float, upstream_base: str) -> bool:
    """Forwards the logged request and seals the log with the answer; returns whether the provider
    answered (any status below 500)."""
    url = upstream_url(upstream_base, log.path, log.query)
    try:
        answer = forward(
            method=log.method,
            url=url,
            headers=_upstream_headers(log),
            body=bytes(log.request_body),
            timeout=service_timeout,
        )
        log.status_code = answer.status
        log.response_content_type = answer.content_type[:255]
        log.response_body = answer.body
        log.outcome = Outcome.OK if answer.status < 500 else Outcome.UPSTREAM_ERROR
        log.error = "" if answer.status < 500 else f"upstream answered {answer.status}"
    except UpstreamTimeout as exc:
        error = GatewayError(
            504,
            "upstream_timeout",
            "Hệ thống cung cấp không trả lời kịp thời.",
            f"The provider did not answer in time ({exc}).",
        )
        log.status_code, log.response_content_type, log.response_body = 504, "application/json", error.body()
        log.outcome, log.error = Outcome.TIMEOUT, str(exc)[:500]
        log.replayable = False
    except Exception as exc:  # UpstreamFailure, or a fault of ours: logged as such, never left pending
        if not isinstance(exc, UpstreamFailure):
            logger.exception("gateway: forwarding message %s failed", log.message_id)
        error = GatewayError(
            502,
            "upstream_error",
            "Không kết nối được hệ thống cung cấp.",
            f"The provider could not be reached ({exc}).",
        )
        log.status_code, log.response_content_type, log.response_body = 502, "application/json", error.body()
        log.outcome, log.error = Outcome.UPSTREAM_ERROR, str(exc)[:500]
        log.replayable = False
    # A 502/504 of the gateway's own does not take the message id: the client may retry with the same id
    # (the provider must treat a repeated business request as the same one, e.g. DongBoHoSoMC by maHoSo).
    delivered = log.outcome == Outcome.OK
    if log.asynchronous and not delivered:
        return False  # stays queued: the delivery is retried, the log sealed when it ends
    log.answered_at = clock.now()
    log.duration_ms = (log.answered_at - log.received_at).total_seconds() * 1000
    _seal(log)
    MessageLog.objects.filter(pk=log.pk).update(
        status_code=log.status_code,
        response_content_type=log.response_content_type,
        response_body=log.response_body,
        outcome=log.outcome,
        error=log.error,
        answered_at=log.answered_at,
        duration_ms=log.duration_ms,
        content_hash=log.content_hash,
        signature=log.signature,
        replayable=log.replayable,
    )
    return delivered


# --- asynchronous deliveries, retries and the dead-letter list ------------------------------------


def _backoff(attempts: int) -> dt.timedelta:
    base = float(getattr(settings, "MOTCUA_GATEWAY_RETRY_BASE_SECONDS", 2))
    return dt.timedelta(seconds=min(base * 2 ** (attempts - 1), 3600))


def deliveries_run(*, limit: int = 50) -> dict[str, int]:
    """Forwards the asynchronous messages that are due; a failure waits 2, 4, 8 … s (capped at an hour),
    after ``max_attempts`` the message goes to the dead-letter list."""
    now = clock.now()
    counts = {"delivered": 0, "retrying": 0, "dead": 0}
    due = list(
        Delivery.objects.select_related("log")
        .filter(state=DeliveryState.WAITING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")[:limit]
    )
    for delivery in due:
        log = delivery.log
        service = service_view(log.service_code)
        delivery.attempts += 1
        if service is None or not service.active:
            ok, delivery.last_error = False, "service withdrawn"
        else:
            ok = _deliver(log, service_timeout=service.timeout_seconds, upstream_base=service.upstream_url)
            client = client_view(log.client_code) if ok else None
            if client is not None:
                _personal_data_read_report(log, client=client, service=service)
            delivery.last_error = "" if ok else (log.error or f"status {log.status_code}")[:500]
        if ok:
            delivery.state = DeliveryState.DELIVERED
            counts["delivered"] += 1
        elif delivery.attempts >= delivery.max_attempts:
            delivery.state = DeliveryState.DEAD
            counts["dead"] += 1
            logger.warning(
                "gateway: message %s to %s dead-lettered: %s",
                log.message_id,
                log.service_code,
                delivery.last_error,
            )
        else:
            delivery.next_attempt_at = clock.now() + _backoff(delivery.attempts)
            counts["retrying"] += 1
        delivery.save(update_fields=["attempts", "state", "next_attempt_at", "last_error", "updated_at"])
    return counts


def dead_letter_replay(*, delivery_id: int, operator: str) -> Delivery:
    """Puts a dead-lettered message back on the queue (attempts start again), due now."""
    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFoundError(_("Không có thông điệp này trong danh sách lỗi."))
    if delivery.state != DeliveryState.DEAD:
        raise ConflictError(_("Thông điệp không nằm trong danh sách lỗi (đã chuyển hoặc đang chờ)."))
    delivery.state = DeliveryState.WAITING
    delivery.attempts = 0
    delivery.next_attempt_at = clock.now()
    delivery.replayed_by = operator[:150]
    delivery.save(update_fields=["state", "attempts", "next_attempt_at", "replayed_by", "updated_at"])
    return delivery


# --- the hash chain and batch time-stamps ---------------------------------------------------------

_chain_lock = threading.Lock()


@contextlib.contextmanager
def _chain_locked() -> Iterator[None]:
    with _chain_lock, transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x4C475350])  # "LGSP"
        yield


def chain_extend(*, max_entries: int = 10000) -> StampBatch | None:
    """Links the sealed entries not yet chained (in the order they were sealed) and makes them a batch."""
    with _chain_locked():
        last = (
            MessageLog.objects.filter(seq__isnull=False)
            .order_by("-seq")
            .values_list("seq", "entry_hash")
            .first()
        )
        seq: int = (last[0] or 0) if last else 0
        prev: str = last[1] if last else ev.GENESIS_HASH
        first_seq = seq + 1
        fresh = list(
            MessageLog.objects.filter(seq__isnull=True)
            .exclude(content_hash="")
            .order_by("answered_at", "pk")
            .only("pk", "content_hash")[:max_entries]
        )
        if not fresh:
            return None
        hashes = []
        for entry in fresh:
            seq += 1
            entry.seq = seq
            entry.prev_hash = prev
            entry.entry_hash = prev = ev.entry_hash(prev, entry.content_hash, seq)
            hashes.append(entry.entry_hash)
        root = ev.merkle_root(hashes)
        statement = ev.batch_statement(
            first_seq=first_seq, last_seq=seq, merkle_root_hex=root, chain_head=prev
        )
        batch = StampBatch.objects.create(
            first_seq=first_seq,
            last_seq=seq,
            merkle_root=root,
            chain_head=prev,
            imprint=ev.sha256_hex(ev.canonical(statement)),
            created_at=clock.now(),
        )
        for entry in fresh:
            entry.batch = batch
        _chain_fields_write(fresh, batch_id=batch.pk)
    return batch


def _chain_fields_write(entries: list[MessageLog], *, batch_id: int) -> None:
    """One UPDATE … FROM (VALUES …) per 1,000 entries (``bulk_update``'s CASE expressions grow with the
    batch and took seconds for 10,000)."""
    table = MessageLog._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(entries), 1000):
            chunk = entries[start : start + 1000]
            rows = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
            params: list[int | str | None] = []
            for e in chunk:
                params += [e.pk, e.seq, e.prev_hash, e.entry_hash]
            cast = "::bigint" if connection.vendor == "postgresql" else ""
            cursor.execute(
                f"WITH v(id, seq, prev, eh) AS (VALUES {rows}) "  # noqa: S608  (no input in the SQL text)
                f"UPDATE {table} SET seq = v.seq{cast}, prev_hash = v.prev, entry_hash = v.eh, batch_id = %s "
                f"FROM v WHERE {table}.id = v.id{cast}",
                [*params, batch_id],
            )


def _timestamp(imprint_hex: str) -> bytes:
    from motcua.signatures.signing import PkiFiles, timestamper_for

    stamper = timestamper_for(PkiFiles(Path(settings.MOTCUA_PKI_DIR)))
    token = asyncio.run(stamper.async_timestamp(bytes.fromhex(imprint_hex), "sha256"))
    return bytes(token.dump())


def batches_stamp() -> int:
    """Gets an RFC 3161 time-stamp for every batch that has none yet (one TSA call per batch; a TSA that
    is down leaves them for the next run). Returns the number stamped."""
    stamped = 0
    for batch in StampBatch.objects.filter(stamped_at__isnull=True).order_by("last_seq"):
        try:
            token = _timestamp(batch.imprint)
        except Exception as exc:  # the TSA's client raises many kinds; all mean "not now"
            logger.warning("gateway: time-stamping batch %s failed: %s", batch.pk, exc)
            break
        StampBatch.objects.filter(pk=batch.pk).update(token=token, stamped_at=clock.now())
        stamped += 1
    return stamped


def log_seal_and_stamp(*, max_entries: int = 10000) -> dict[str, int]:
    """The periodic job of the serve process (and ``motcua gateway stamp``): chain, batch, time-stamp."""
    entries = 0
    while True:
        batch = chain_extend(max_entries=max_entries)
        if batch is None:
            break
        entries += batch.last_seq - batch.first_seq + 1
        if batch.last_seq - batch.first_seq + 1 < max_entries:
            break
    return {"entries": entries, "stamped": batches_stamp()}


# --- evidence and chain verification --------------------------------------------------------------


def evidence_build(*, message_id: str, client_id: str = "", pk: int | None = None) -> dict[str, Any]:
    """``pk``: exactly that log entry (the message page), not the final answer among those sharing the id."""
    logs = MessageLog.objects.filter(message_id=message_id)
    if client_id:
        logs = logs.filter(client_code=client_id)
    if pk is not None:
        logs = logs.filter(pk=pk)
    candidates = list(logs.order_by("-replayable", "pk")[:2])
    if not candidates:
        raise NotFoundError(f"Không có thông điệp {message_id} trong nhật ký.")
    if len(candidates) > 1 and not client_id and candidates[0].client_code != candidates[1].client_code:
        raise ValidationFailedError("Nhiều ứng dụng dùng mã thông điệp này: hãy nêu --client.")
    log = candidates[0]
    if log.batch_id is None:
        raise ConflictError("Thông điệp chưa vào chuỗi nhật ký; hãy chạy `motcua gateway stamp`.")
    batch = StampBatch.objects.get(pk=log.batch_id)
    if not batch.token:
        raise ConflictError("Lô nhật ký chưa được gắn dấu thời gian; hãy chạy `motcua gateway stamp`.")
    hashes = list(
        MessageLog.objects.filter(seq__gte=batch.first_seq, seq__lte=batch.last_seq)
        .order_by("seq")
        .values_list("entry_hash", flat=True)
    )
    key = gateway_key()
    return {
        "format": ev.EVIDENCE_FORMAT,
        "record": record_of(log),
        "request_body": base64.b64encode(bytes(log.request_body)).decode(),
        "response_body": base64.b64encode(bytes(log.response_body)).decode(),
        "content_hash": log.content_hash,
        "signature": log.signature,
        "gateway_certificate": key.certificate_pem(),
        "ca_certificates": key.ca_pems(),
        "chain": {"seq": log.seq, "prev_hash": log.prev_hash, "entry_hash": log.entry_hash},
        "batch": {
            "first_seq": batch.first_seq,
            "last_seq": batch.last_seq,
            "merkle_root": batch.merkle_root,
            "chain_head": batch.chain_head,
        },
        "merkle_proof": ev.merkle_proof(hashes, (log.seq or 0) - batch.first_seq),
        "timestamp_token": base64.b64encode(bytes(batch.token)).decode(),
    }


def evidence_for_official(*, log: MessageLog, user: Any, reader: str) -> dict[str, Any]:
    """The evidence of one exchange for an official on the message log page. It holds the bodies: for a
    service with personal data the download is recorded as the official's read of the citizens it names
    (gateway.personal_data), in the same transaction — no record, no download."""
    with transaction.atomic():
        data = evidence_build(message_id=log.message_id, client_id=log.client_code, pk=log.pk)
        service = Service.objects.filter(code=log.service_code).first()
        reads = gateway_reads()
        if service is not None and service.personal_data and reads is not None:
            member = Member.objects.filter(code=log.member_code).values_list("name", flat=True).first()
            read = _read_of(log, member_name=member or log.member_code, service_name=service.name)
            if read is not None:
                reads.evidence_read_record(read, user=user, reader=reader)
    return data


def chain_verify() -> ev.Verification:
    """Walks the whole chained log: every record against its hash and signature, every link, no gap in
    the sequence, every batch's Merkle root, chain head and time-stamp."""
    from cryptography.exceptions import InvalidSignature

    result = ev.Verification()
    public_key = gateway_key().key.public_key()
    expected_seq, prev = 1, ev.GENESIS_HASH
    batch_hashes: dict[int, list[str]] = {}
    for log in MessageLog.objects.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=1000):
        if log.seq != expected_seq:
            result.problems.append(f"entries {expected_seq}..{(log.seq or 0) - 1} missing from the chain")
        if log.prev_hash != prev:
            result.problems.append(f"entry {log.seq}: link to the previous entry broken")
        if ev.sha256_hex(ev.canonical(record_of(log))) != log.content_hash:
            result.problems.append(f"entry {log.seq} (message {log.message_id}): content altered")
        try:
            public_key.verify(base64.b64decode(log.signature), bytes.fromhex(log.content_hash))
        except (InvalidSignature, ValueError):
            result.problems.append(f"entry {log.seq}: signature invalid")
        if ev.entry_hash(log.prev_hash, log.content_hash, log.seq or 0) != log.entry_hash:
            result.problems.append(f"entry {log.seq}: entry hash wrong")
        if log.batch_id is not None:
            batch_hashes.setdefault(log.batch_id, []).append(log.entry_hash)
        prev, expected_seq = log.entry_hash, (log.seq or 0) + 1
    batches = list(StampBatch.objects.order_by("last_seq"))
    for batch in batches:
        hashes = batch_hashes.get(batch.pk, [])
        if len(hashes) != batch.last_seq - batch.first_seq + 1:
            result.problems.append(f"batch {batch.first_seq}..{batch.last_seq}: entries missing")
        elif ev.merkle_root(hashes) != batch.merkle_root or hashes[-1] != batch.chain_head:
            result.problems.append(f"batch {batch.first_seq}..{batch.last_seq}: Merkle root or head differs")
        statement = ev.batch_statement(
            first_seq=batch.first_seq,
            last_seq=batch.last_seq,
            merkle_root_hex=batch.merkle_root,
            chain_head=batch.chain_head,
        )
        if ev.sha256_hex(ev.canonical(statement)) != batch.imprint:
            result.problems.append(f"batch {batch.first_seq}..{batch.last_seq}: statement altered")
        elif batch.token:
            try:
                ev.timestamp_token_check(bytes(batch.token), batch.imprint)
            except ValueError as exc:
                result.problems.append(f"batch {batch.first_seq}..{batch.last_seq}: time-stamp: {exc}")
    if batches and batches[-1].last_seq != expected_seq - 1:
        result.problems.append("entries after the last batch are chained but not batched")
    result.facts.append(
        f"{expected_seq - 1} chained entries, {len(batches)} batches, "
        f"{sum(1 for b in batches if b.token)} time-stamped"
    )
    return result
