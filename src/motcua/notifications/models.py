from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    # Claimed by a worker that is handing it to the provider now; ``claimed_at`` says since when.
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi không thành công")


class Notification(models.Model):
    """One message to one recipient; kept so that failures can be retried and support can answer."""

    channel = models.CharField(max_length=8, choices=NotificationChannel.choices)
    recipient = models.CharField(max_length=255)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField()
    dossier_code = models.CharField(max_length=40, blank=True, db_index=True)
    event = models.CharField(max_length=40, blank=True)
    status = models.CharField(
        max_length=8, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.channel} to {self.recipient}: {self.status}"

    @property
    def delivery_key(self) -> str:
        """The idempotency key the provider gets: the same for every attempt at this message, and not
        repeated by another database (ids start again at 1 after a reset; the creation time does not)."""
        return f"motcua-{self.pk}-{self.created_at:%Y%m%d%H%M%S%f}"
