"""Postal orders through the gateway (service ``vnpost``): queue in the action's transaction (outbox),
send after commit and on every scheduler tick with exponential back-off, and take the tracking the
postal service pushes back to ``/buu-chinh/hanh-trinh/<token>/``.

A postal system that is down, slow or answering garbage leaves the order ``pending`` with its next attempt
later (30 s, 1, 2, 4 … min, at most an hour); nothing is lost, and the backlog drains when it answers
again. Retries keep the customer order code, so an order the post accepted but whose answer was lost is not
created twice; each attempt is a new gateway message (the gateway answers a repeated id with the logged
answer, a failure included)."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from motcua.core import clock
from motcua.core.errors import NotFoundError, ValidationFailedError
from motcua.dossiers.events import dossier_event_record
from motcua.dossiers.models import DeliveryStatus, Dossier
from motcua.dossiers.workflow import TimelineAction
from motcua.national.client import NationalRefused, NationalUnavailable, gateway_call
from motcua.national.models import PostOrder, PostOrderKind, PostOrderState

if TYPE_CHECKING:
    from motcua.accounts.models import User

logger = logging.getLogger(__name__)

SERVICE = "vnpost"
BACKOFF_FIRST = dt.timedelta(seconds=30)
BACKOFF_MAX = dt.timedelta(hours=1)
DELIVERED = "500"
FAILED_DELIVERY = "600"


def _backoff(attempts: int) -> dt.timedelta:
    delay: dt.timedelta = BACKOFF_FIRST * (2 ** min(max(attempts - 1, 0), 20))
    return min(delay, BACKOFF_MAX)


def callback_url(token: str) -> str:
    base = str(getattr(settings, "MOTCUA_POST_CALLBACK_BASE", "") or settings.SITE_URL).rstrip("/")
    return f"{base}/buu-chinh/hanh-trinh/{token}/"


def _payload(dossier: Dossier, kind: str) -> dict[str, str]:
    agency = dossier.receiving_agency
    applicant = {
        "Fullname": dossier.applicant_name,
        "Address": dossier.applicant_address,
        "Tel": dossier.applicant_phone,
    }
    office = {"Fullname": agency.name, "Address": agency.address or agency.name, "Tel": agency.phone}
    sender, receiver = (applicant, office) if kind == PostOrderKind.PICKUP else (office, applicant)
    note = (
        _("Hồ sơ %(code)s gửi %(agency)s")
        if kind == PostOrderKind.PICKUP
        else _("Kết quả giải quyết hồ sơ %(code)s của %(agency)s")
    ) % {"code": dossier.code, "agency": agency.name}
    return {
        "OrderType": "PICKUP" if kind == PostOrderKind.PICKUP else "DELIVERY",
        "SenderFullname": sender["Fullname"],
        "SenderAddress": sender["Address"],
        "SenderTel": sender["Tel"],
        "ReceiverFullname": receiver["Fullname"],
        "ReceiverAddress": receiver["Address"],
        "ReceiverTel": receiver["Tel"],
        "ContentNote": note,
    }


def post_order_queue(*, dossier: Dossier, kind: str, actor: User | None) -> PostOrder:
    """The outbox row, in the caller's transaction; sent after commit (and retried by the scheduler)."""
    if kind not in PostOrderKind.values:
        raise ValidationFailedError(_("Loại đơn bưu chính không hợp lệ."))
    if kind == PostOrderKind.DELIVERY and not dossier.applicant_address.strip():
        raise ValidationFailedError(
            _("Chưa có địa chỉ nhận kết quả của người nộp: không tạo được đơn phát trả qua bưu chính."),
            {"field": "applicant_address"},
        )
    now = clock.now()
    number = PostOrder.objects.filter(dossier=dossier, kind=kind).count() + 1
    order = PostOrder.objects.create(
        dossier=dossier,
        kind=kind,
        customer_order_code=f"{dossier.code}-{'TG' if kind == PostOrderKind.PICKUP else 'PT'}{number}",
        message_id=str(uuid.uuid4()),
        payload=_payload(dossier, kind),
        callback_token=secrets.token_urlsafe(24),
        next_attempt_at=now,
        created_at=now,
    )
    if kind == PostOrderKind.DELIVERY:
        Dossier.objects.filter(pk=dossier.pk).update(delivery_status=DeliveryStatus.IN_TRANSIT)
        dossier.delivery_status = DeliveryStatus.IN_TRANSIT
    dossier_event_record(
        dossier=dossier,
        action=TimelineAction.POST_ORDER,
        actor=actor,
        actor_role="one_stop_clerk" if kind == PostOrderKind.DELIVERY else "applicant",
        actor_agency=dossier.receiving_agency if kind == PostOrderKind.DELIVERY else None,
        from_status=dossier.status,
        to_status=dossier.status,
        reason=order.get_kind_display(),
        data={"order": order.customer_order_code, "kind": kind},
    )
    transaction.on_commit(_enqueue_drain)
    return order


def _enqueue_drain() -> None:
    from motcua.national.tasks import post_outbox_drain_task

    try:
        post_outbox_drain_task.enqueue()
    except Exception:  # the scheduler drains it anyway
        logger.exception("could not enqueue the postal outbox drain")


def post_order_send(order: PostOrder, *, now: dt.datetime | None = None) -> bool:
    """One attempt: True when the postal service accepted (or had already accepted) the order."""
    body = dict(order.payload) | {
        "CustomerOrderCode": order.customer_order_code,
        "CallbackUrl": callback_url(order.callback_token),
    }
    now = now or clock.now()
    try:
        answer = gateway_call(
            service=SERVICE,
            method="POST",
            path="api/v1/orders",
            body=body,
            purpose=f"HS:{order.dossier.code}",
            message_id=order.message_id,
            where=_("Hệ thống bưu chính công ích"),
        )
        item_code = str(answer.data.get("ItemCode") or "")
        if not item_code:
            raise NationalUnavailable("garbage", _("Bưu chính trả lời thiếu số hiệu bưu gửi."))
    except NationalUnavailable as exc:
        order.attempts += 1
        order.next_attempt_at = now + _backoff(order.attempts)
        order.last_error = f"{exc.reason}: {exc.detail or exc.message}"[:2000]
        # The gateway logged this exchange with its failure and would replay that answer to the same id:
        # the next attempt is a new exchange. The post's CustomerOrderCode still makes it the same order.
        order.message_id = str(uuid.uuid4())
        order.save(update_fields=["attempts", "next_attempt_at", "last_error", "message_id"])
        logger.info(
            "post order %s not sent (%s); next attempt %s",
            order.customer_order_code,
            exc,
            order.next_attempt_at,
        )
        return False
    except NationalRefused as exc:
        # Our payload is wrong (e.g. an address missing): retrying the same body cannot help.
        order.attempts += 1
        order.state = PostOrderState.REFUSED
        order.last_error = f"{exc.code}: {exc.message}"[:2000]
        order.save(update_fields=["attempts", "state", "last_error"])
        return False
    order.attempts += 1
    order.state = PostOrderState.SENT
    order.item_code = item_code[:32]
    order.status_code = str(answer.data.get("OrderStatus") or "")[:8]
    order.status_name = str(answer.data.get("StatusName") or "")[:255]
    order.sent_at = now
    order.last_error = ""
    order.save(
        update_fields=[
            "attempts",
            "state",
            "item_code",
            "status_code",
            "status_name",
            "sent_at",
            "last_error",
        ]
    )
    return True


def post_outbox_drain(*, now: dt.datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Send every pending order that is due; returns how many went and how many wait."""
    if not settings.MOTCUA_NATIONAL_SYSTEMS:
        return {
            "sent": 0,
            "failed": 0,
            "waiting": PostOrder.objects.filter(state=PostOrderState.PENDING).count(),
        }
    now = now or clock.now()
    due = list(
        PostOrder.objects.select_related("dossier")
        .filter(state=PostOrderState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")[:limit]
    )
    sent = failed = 0
    for order in due:
        if post_order_send(order, now=now):
            sent += 1
        else:
            failed += 1
            if order.state == PostOrderState.PENDING and order.last_error.startswith(("down", "timeout")):
                # The system is not answering: the rest would only wait for their time-outs too.
                break
    waiting = PostOrder.objects.filter(state=PostOrderState.PENDING).count()
    return {"sent": sent, "failed": failed, "waiting": waiting}


def post_tracking_receive(*, token: str, payload: Any) -> PostOrder:
    """A tracking update pushed by the postal service (``{"ItemCode", "OrderStatus", "StatusName",
    "Time", "Location"}``): stored once (a repeated push changes nothing), shown on the timeline."""
    if not isinstance(payload, dict):
        raise ValidationFailedError(_("Nội dung cập nhật hành trình không hợp lệ."), {"error_code": 500})
    fields = {}
    for name in ("ItemCode", "OrderStatus", "StatusName", "Time"):
        value = payload.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > 255:
            raise ValidationFailedError(
                _("Thiếu hoặc sai trường %(name)s.") % {"name": name}, {"error_code": 500, "field": name}
            )
        fields[name] = value.strip()
    location = payload.get("Location")
    fields["Location"] = location.strip()[:255] if isinstance(location, str) else ""
    with transaction.atomic():
        # The dossier row first, then the order's: the lock order of every path that locks a dossier and
        # an order of it together (docs/payments.md, "Lock order"); FOR UPDATE OF the dossier only.
        dossier = (
            Dossier.objects.select_for_update(of=("self",)).filter(post_orders__callback_token=token).first()
        )
        order = (
            None
            if dossier is None
            else PostOrder.objects.select_for_update().filter(dossier=dossier, callback_token=token).first()
        )
        if dossier is None or order is None:
            raise NotFoundError(_("Không có đơn bưu chính này."))
        order.dossier = dossier
        if order.item_code and order.item_code != fields["ItemCode"]:
            raise ValidationFailedError(_("Số hiệu bưu gửi không khớp với đơn."), {"error_code": 500})
        entry = {k: fields[k] for k in ("OrderStatus", "StatusName", "Time", "Location")}
        if entry in order.tracking:
            return order
        order.tracking = [*order.tracking, entry]
        order.status_code = fields["OrderStatus"][:8]
        order.status_name = fields["StatusName"][:255]
        if not order.item_code:  # the answer to our order was lost, the tracking arrived first
            order.item_code = fields["ItemCode"][:32]
            order.state = PostOrderState.SENT
        order.save(update_fields=["tracking", "status_code", "status_name", "item_code", "state"])
        if order.kind == PostOrderKind.DELIVERY and order.status_code == DELIVERED:
            dossier.delivery_status = DeliveryStatus.DELIVERED
            dossier.save(update_fields=["delivery_status"])
        dossier_event_record(
            dossier=dossier,
            action=TimelineAction.POST_TRACKING,
            actor=None,
            actor_role="system",
            actor_agency=None,
            from_status=dossier.status,
            to_status=dossier.status,
            reason=f"{order.item_code}: {entry['StatusName']}",
            data={"order": order.customer_order_code, "item_code": order.item_code} | entry,
        )
    return order


def post_orders_of(dossier: Dossier) -> list[dict[str, Any]]:
    return [
        {
            "kind": order.kind,
            "kind_label": order.get_kind_display(),
            "state": order.state,
            "state_label": order.get_state_display(),
            "item_code": order.item_code,
            "status_name": order.status_name,
            "tracking": list(reversed(order.tracking)),
            "attempts": order.attempts,
            "next_attempt_at": order.next_attempt_at if order.state == PostOrderState.PENDING else None,
        }
        for order in PostOrder.objects.filter(dossier=dossier).order_by("-created_at", "-pk")
    ]
