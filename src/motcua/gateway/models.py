"""The data-sharing gateway (LGSP): who takes part (members), what they offer (services, with a
version and an OpenAPI or schema description), who may call what (clients, grants: deny by default), the
tokens clients hold, and the message log — every exchange, signed, chained and time-stamped in batches
(docs/integration.md)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MemberKind(models.TextChoices):
    PROVINCE = "province", _("Hệ thống của tỉnh")
    NATIONAL = "national", _("Hệ thống quốc gia")
    MINISTRY = "ministry", _("Hệ thống bộ, ngành")
    BUSINESS = "business", _("Tổ chức, doanh nghiệp")


class Member(models.Model):
    """An organisation's information system that takes part in the exchange (X-Road: a member subsystem)."""

    code = models.SlugField(_("mã thành viên"), max_length=64, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại"), max_length=16, choices=MemberKind.choices, default=MemberKind.PROVINCE)
    # The owning organisation's code where it has one (an agency code of the national list, a tax code).
    organisation_code = models.CharField(_("mã tổ chức"), max_length=64, blank=True)
    contact = models.CharField(_("đầu mối kỹ thuật"), max_length=255, blank=True)
    active = models.BooleanField(_("đang hoạt động"), default=True)
    joined_at = models.DateTimeField(_("ngày tham gia"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("thành viên")
        verbose_name_plural = _("thành viên")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class DescriptionFormat(models.TextChoices):
    OPENAPI = "openapi", "OpenAPI 3"
    JSON_SCHEMA = "json-schema", "JSON Schema"
    TEXT = "text", _("Mô tả văn bản")


class Service(models.Model):
    """A service a member offers through the gateway: ``/r/<code>/…`` goes to ``upstream_url`` + the rest."""

    code = models.SlugField(_("mã dịch vụ"), max_length=64, unique=True)
    provider = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(_("tên dịch vụ"), max_length=255)
    version = models.CharField(_("phiên bản"), max_length=32, default="1")
    upstream_url = models.URLField(_("địa chỉ hệ thống cung cấp"), max_length=500)
    description_format = models.CharField(
        _("định dạng mô tả"),
        max_length=16,
        choices=DescriptionFormat.choices,
        default=DescriptionFormat.OPENAPI,
    )
    description = models.JSONField(_("mô tả (OpenAPI/JSON Schema)"), default=dict, blank=True)
    # Personal data (population records…): every call must state its purpose (X-Purpose), Decree 13/2023.
    personal_data = models.BooleanField(_("dữ liệu cá nhân"), default=False)
    timeout_seconds = models.FloatField(_("thời gian chờ tối đa (giây)"), default=10.0)
    active = models.BooleanField(_("đang cung cấp"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("dịch vụ")
        verbose_name_plural = _("dịch vụ")

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class ServiceVersion(models.Model):
    """The history of a service's versions and descriptions (the registry browser lists them)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(max_length=32)
    upstream_url = models.URLField(max_length=500)
    description_format = models.CharField(max_length=16, choices=DescriptionFormat.choices)
    description = models.JSONField(default=dict, blank=True)
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["service", "-published_at"]
        constraints = [
            models.UniqueConstraint(fields=["service", "version"], name="gateway_service_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service_id} v{self.version}"


class Client(models.Model):
    """OAuth2 client credentials of a member's system. The secret is kept only as a SHA-256 hash (it is a
    random 256-bit value, not a password); on rotation the previous one keeps working until
    ``previous_valid_until`` so that the member can switch without an outage."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="clients")
    client_id = models.CharField(_("mã ứng dụng (client_id)"), max_length=128, unique=True)
    secret_hash = models.CharField(max_length=64)
    previous_secret_hash = models.CharField(max_length=64, blank=True)
    previous_valid_until = models.DateTimeField(null=True, blank=True)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    rate_limit_per_second = models.PositiveIntegerField(_("giới hạn yêu cầu/giây"), default=50)
    rate_limit_burst = models.PositiveIntegerField(_("số yêu cầu dồn tối đa"), default=100)
    token_lifetime_seconds = models.PositiveIntegerField(default=3600)
    active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["client_id"]
        verbose_name = _("ứng dụng kết nối")
        verbose_name_plural = _("ứng dụng kết nối")

    def __str__(self) -> str:
        return self.client_id


class Grant(models.Model):
    """Access right of one client to one service. No grant, no access (deny by default)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="grants")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="grants")
    legal_basis = models.CharField(_("căn cứ"), max_length=255, blank=True)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "service"], name="gateway_grant_unique")]

    def __str__(self) -> str:
        return f"{self.client_id} → {self.service_id}"


class AccessToken(models.Model):
    """A bearer token issued at /oauth/token: only its SHA-256 is stored."""

    token_hash = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="tokens")
    scopes = models.JSONField(default=list)  # service codes
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    revoked = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"token of {self.client_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class Outcome(models.TextChoices):
    OK = "ok", _("Thành công")
    UPSTREAM_ERROR = "upstream_error", _("Lỗi hệ thống cung cấp")
    TIMEOUT = "timeout", _("Quá thời gian chờ")
    DENIED = "denied", _("Bị từ chối (không có quyền)")
    REJECTED = "rejected", _("Yêu cầu không hợp lệ")
    RATE_LIMITED = "rate_limited", _("Vượt giới hạn")
    PENDING = "pending", _("Đang xử lý")
    QUEUED = "queued", _("Chờ chuyển (bất đồng bộ)")


class MessageLog(models.Model):
    """One exchange through the gateway: the request, the response (or the refusal), who and why.

    ``content_hash`` is SHA-256 over the canonical record (``evidence.canonical_record``) and ``signature``
    the gateway key's Ed25519 signature over it, both set when the exchange ends. The batch job then puts
    the entries in a hash chain (``seq``, ``prev_hash`` → ``entry_hash``) and a Merkle tree whose root an
    RFC 3161 time-stamp covers (``StampBatch``). A client's message id is answered from here when it comes
    again (``replayable``): only final answers count, not refusals for rate or a bad token."""

    message_id = models.CharField(max_length=128)
    client_code = models.CharField(max_length=128, blank=True)  # client_id; empty: no valid token
    member_code = models.CharField(max_length=64, blank=True)
    service_code = models.CharField(max_length=64, blank=True)
    service_version = models.CharField(max_length=32, blank=True)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=1000)
    query = models.CharField(max_length=2000, blank=True)
    purpose = models.CharField(max_length=500, blank=True)
    request_content_type = models.CharField(max_length=255, blank=True)
    request_body = models.BinaryField(default=b"")
    status_code = models.PositiveSmallIntegerField(null=True)
    response_content_type = models.CharField(max_length=255, blank=True)
    response_body = models.BinaryField(default=b"")
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    error = models.CharField(max_length=500, blank=True)
    replayable = models.BooleanField(default=True)
    asynchronous = models.BooleanField(default=False)
    received_at = models.DateTimeField(db_index=True)
    answered_at = models.DateTimeField(null=True)
    duration_ms = models.FloatField(null=True)
    content_hash = models.CharField(max_length=64, blank=True)
    signature = models.CharField(max_length=200, blank=True)  # base64
    seq = models.PositiveBigIntegerField(null=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    entry_hash = models.CharField(max_length=64, blank=True)
    batch = models.ForeignKey("StampBatch", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client_code", "message_id"],
                condition=Q(replayable=True),
                name="gateway_message_id_once_per_client",
            )
        ]
        indexes = [
            models.Index(fields=["service_code", "received_at"], name="gateway_log_service_time"),
            models.Index(fields=["seq"], name="gateway_log_unchained", condition=Q(seq__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.client_code}/{self.message_id} → {self.service_code} ({self.outcome})"


class StampBatch(models.Model):
    """Entries ``first_seq``..``last_seq`` of the chain: their Merkle root and the chain head (the last
    entry's hash) time-stamped together by the RFC 3161 TSA (``token``, DER)."""

    first_seq = models.PositiveBigIntegerField()
    last_seq = models.PositiveBigIntegerField(unique=True)
    merkle_root = models.CharField(max_length=64)
    chain_head = models.CharField(max_length=64)
    imprint = models.CharField(max_length=64)  # SHA-256 of the batch statement the token covers
    token = models.BinaryField(default=b"")
    stamped_at = models.DateTimeField(null=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"batch {self.first_seq}..{self.last_seq}"


class DeliveryState(models.TextChoices):
    WAITING = "waiting", _("Chờ chuyển")
    DELIVERED = "delivered", _("Đã chuyển")
    DEAD = "dead", _("Thất bại (chờ xử lý)")


class Delivery(models.Model):
    """An asynchronous message (``Prefer: respond-async``): accepted at once (202), forwarded by the serve
    process with exponential back-off; after ``max_attempts`` it lands on the dead-letter list, which an
    operator replays once the provider is back."""

    log = models.OneToOneField(MessageLog, on_delete=models.PROTECT, related_name="delivery")
    state = models.CharField(max_length=16, choices=DeliveryState.choices, default=DeliveryState.WAITING)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=6)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_error = models.CharField(max_length=500, blank=True)
    replayed_by = models.CharField(max_length=150, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"delivery of {self.log_id} ({self.state})"
