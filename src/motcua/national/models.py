"""Postal orders (bưu chính công ích) of dossiers: the outbox row written in the action's transaction,
sent after commit with retries and back-off, and the tracking the postal service pushes back."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PostOrderKind(models.TextChoices):
    PICKUP = "pickup", _("Thu gom hồ sơ")
    DELIVERY = "delivery", _("Phát trả kết quả")


class PostOrderState(models.TextChoices):
    PENDING = "pending", _("Chờ gửi sang bưu chính")
    SENT = "sent", _("Bưu chính đã nhận đơn")
    REFUSED = "refused", _("Bưu chính từ chối đơn")


class PostOrder(models.Model):
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="post_orders")
    kind = models.CharField(_("loại đơn"), max_length=16, choices=PostOrderKind.choices)
    state = models.CharField(
        _("trạng thái gửi"), max_length=16, choices=PostOrderState.choices, default=PostOrderState.PENDING
    )
    # The postal service's idempotency key (a retry answers the same order) and the gateway's message id
    # (a retry of the same exchange is answered from the gateway's log).
    customer_order_code = models.CharField(max_length=64, unique=True)
    message_id = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    # Secret part of the callback URL given to the postal service: only it can push this order's tracking.
    callback_token = models.CharField(max_length=64, unique=True)
    item_code = models.CharField(_("số hiệu bưu gửi"), max_length=32, blank=True, db_index=True)
    status_code = models.CharField(max_length=8, blank=True)
    status_name = models.CharField(_("trạng thái bưu gửi"), max_length=255, blank=True)
    tracking = models.JSONField(default=list, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("đơn bưu chính")
        verbose_name_plural = _("đơn bưu chính")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.customer_order_code} {self.item_code or self.state}"
