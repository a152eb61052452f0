"""Fees as law (exemptions, reductions and when a fee falls due, with effective dates and legal basis),
payment orders, the append-only ledger of payment events, e-receipts and their number registers.

Money is an integer number of đồng everywhere (``BigIntegerField``); the protocol's ×100 exists only in
the provider adapter. A payment order changes state only inside ``services`` under a row lock, and every
change appends one ``PaymentEvent`` (docs/payments.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FeeDue(models.TextChoices):
    ON_SUBMISSION = "submission", _("Nộp khi nộp hồ sơ")
    ON_OBLIGATION = "obligation", _("Nộp khi có thông báo nghĩa vụ tài chính")


class FeeRuleKind(models.TextChoices):
    EXEMPT = "exempt", _("Miễn")
    REDUCE_PERCENT = "reduce_percent", _("Giảm theo tỷ lệ")
    REDUCE_AMOUNT = "reduce_amount", _("Giảm số tiền")
    DUE_AT_OBLIGATION = "due_obligation", _("Thu khi có thông báo nghĩa vụ tài chính")


class FeeRuleCondition(models.TextChoices):
    ALWAYS = "always", _("Mọi hồ sơ")
    ONLINE = "online", _("Nộp hồ sơ trực tuyến")
    BENEFICIARY = "beneficiary", _("Đối tượng chính sách")


class FeeRule(models.Model):
    """A rule of the law about one catalogue fee line: an exemption, a reduction (online submission,
    policy beneficiaries), or that the fee falls due only at the financial-obligation step. In force from
    ``effective_from`` to ``effective_to`` (inclusive; empty = open), on the dossier's submission date."""

    fee = models.ForeignKey("catalog.Fee", on_delete=models.CASCADE, related_name="payment_rules")
    kind = models.CharField(_("loại"), max_length=16, choices=FeeRuleKind.choices)
    condition = models.CharField(
        _("điều kiện"), max_length=16, choices=FeeRuleCondition.choices, default=FeeRuleCondition.ALWAYS
    )
    # For BENEFICIARY: the category code the applicant must hold (e.g. "nguoi_co_cong", "ho_ngheo").
    beneficiary_category = models.CharField(_("đối tượng"), max_length=64, blank=True)
    percent = models.PositiveSmallIntegerField(_("tỷ lệ giảm (%)"), default=0)
    amount = models.BigIntegerField(_("số tiền giảm (đồng)"), default=0)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=255)
    effective_from = models.DateField(_("hiệu lực từ"))
    effective_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    class Meta:
        verbose_name = _("miễn, giảm phí, lệ phí")
        verbose_name_plural = _("miễn, giảm phí, lệ phí")
        ordering = ["fee", "effective_from", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(percent__lte=100), name="fee_rule_percent_lte_100"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="fee_rule_amount_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.fee_id}: {self.kind} ({self.legal_basis})"


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("Chờ thanh toán")
    PAID = "paid", _("Đã thanh toán")
    FAILED = "failed", _("Thanh toán không thành công")
    EXPIRED = "expired", _("Hết hạn")
    REFUNDED = "refunded", _("Đã hoàn tiền")


class PaymentChannel(models.TextChoices):
    ONLINE_NATIONAL = "online_national", _("Trực tuyến qua Cổng Dịch vụ công quốc gia")
    ONLINE_PROVINCE = "online_province", _("Trực tuyến qua cổng thanh toán của tỉnh")
    COUNTER_CASH = "counter_cash", _("Tiền mặt tại bộ phận một cửa")
    COUNTER_CARD = "counter_card", _("Thẻ tại bộ phận một cửa")


ONLINE_CHANNELS = frozenset({PaymentChannel.ONLINE_NATIONAL, PaymentChannel.ONLINE_PROVINCE})


class PaymentOrder(models.Model):
    """One attempt to collect the fees due on a dossier: online through a provider, or at the counter."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="payment_orders")
    txn_ref = models.CharField(_("mã giao dịch"), max_length=34, unique=True)
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=OrderStatus.choices,
        default=OrderStatus.PENDING,
        db_index=True,
    )
    channel = models.CharField(_("hình thức"), max_length=20, choices=PaymentChannel.choices)
    provider = models.CharField(_("cổng thanh toán"), max_length=32, blank=True)
    provider_txn_no = models.CharField(_("mã giao dịch tại cổng"), max_length=64, blank=True)
    bank_code = models.CharField(max_length=32, blank=True)
    # The fee lines this order pays: [{"name", "amount"}] as they were when the order was made.
    lines = models.JSONField(default=list)
    payer_name = models.CharField(_("người nộp"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)  # the payer's browser came back
    refunded_amount = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("giao dịch thanh toán")
        verbose_name_plural = _("giao dịch thanh toán")
        permissions = [("reconcile_payments", _("Đối soát, hoàn phí giao dịch thanh toán"))]
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_order_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(refunded_amount__gte=0)
                & models.Q(refunded_amount__lte=models.F("amount")),
                name="payment_order_refund_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["paid_at"], name="payment_order_paid_at")]

    def __str__(self) -> str:
        return f"{self.txn_ref} ({self.amount} đ, {self.status})"


class EventKind(models.TextChoices):
    CREATED = "created", _("Tạo giao dịch")
    PAID = "paid", _("Đã thanh toán")
    FAILED = "failed", _("Không thành công")
    EXPIRED = "expired", _("Hết hạn")
    REFUNDED = "refunded", _("Hoàn tiền")
    NOTIFICATION_REJECTED = "notification_rejected", _("Từ chối thông báo (IPN)")
    BROWSER_RETURNED = "browser_returned", _("Người nộp quay lại")
    RECEIPT_ISSUED = "receipt_issued", _("Phát hành biên lai")
    RECONCILED = "reconciled", _("Xử lý chênh lệch đối soát")


class AppendOnlyError(RuntimeError):
    pass


class PaymentEvent(models.Model):
    """The ledger: one row per thing that happened to an order, never changed or deleted. ``amount`` is the
    money that moved with the event (positive in, negative out; 0 for events that move none)."""

    order = models.ForeignKey(PaymentOrder, on_delete=models.PROTECT, null=True, related_name="events")
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    amount = models.BigIntegerField(default=0)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["kind", "at"], name="payment_event_kind_at")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} {self.amount}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("payment events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("payment events are append-only")


class ReceiptSeries(models.Model):
    """A register of e-receipt numbers (Decree 123/2020 art. 4, 32 as amended by Decree 70/2025): a template
    symbol (ký hiệu mẫu, e.g. "01BLP0-001") and a series (ký hiệu, e.g. "BL-26E") per collecting agency;
    numbers run from 1 without gaps in a year, taken under a row lock inside the payment's transaction."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="receipt_series")
    template_symbol = models.CharField(_("ký hiệu mẫu biên lai"), max_length=16)
    series = models.CharField(_("ký hiệu biên lai"), max_length=16)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("sổ biên lai điện tử")
        verbose_name_plural = _("sổ biên lai điện tử")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "template_symbol", "series", "year"], name="receipt_series_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template_symbol} {self.series} ({self.year}): {self.last_number}"


class Receipt(models.Model):
    """An e-receipt for fees and charges (biên lai thu phí, lệ phí điện tử), signed by the agency."""

    order = models.OneToOneField(PaymentOrder, on_delete=models.PROTECT, related_name="receipt")
    series = models.ForeignKey(ReceiptSeries, on_delete=models.PROTECT, related_name="receipts")
    number = models.PositiveIntegerField()
    issued_at = models.DateTimeField()
    payer_name = models.CharField(max_length=255)
    amount = models.BigIntegerField()
    lines = models.JSONField(default=list)
    pdf = models.FileField(upload_to="payments/receipts/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "number"], name="receipt_number_unique")]

    def __str__(self) -> str:
        return f"{self.series.series} {self.number:07d}"

    @property
    def display_number(self) -> str:
        return f"{self.number:07d}"


class Resolution(models.Model):
    """How an operator settled one difference of a day's reconciliation (kept; the ledger has the event)."""

    day = models.DateField()
    txn_ref = models.CharField(max_length=34)
    kind = models.CharField(max_length=16)  # "payment" or "refund"
    action = models.CharField(max_length=16)  # "apply" (take the platform's record) or "note"
    note = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "txn_ref", "kind"], name="reconciliation_resolution_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.txn_ref} {self.kind}: {self.action}"
