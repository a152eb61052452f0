"""Dossiers (hồ sơ): one code on every channel, the procedure version pinned at receipt, the three
organisations (helped at / received at / competent), components and files, fees, tasks along the internal
process, pauses of the legal clock, and the timeline of every transition."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Channel
from motcua.dossiers.workflow import DossierStatus


class ApplicantKind(models.TextChoices):
    CITIZEN = "citizen", _("Công dân")
    BUSINESS = "business", _("Tổ chức, doanh nghiệp")


class ReturnMethod(models.TextChoices):
    COUNTER = "counter", _("Nhận tại bộ phận một cửa")
    POST = "post", _("Nhận qua bưu chính công ích")
    ONLINE = "online", _("Nhận trực tuyến")


class PaymentStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", _("Không phải nộp phí")
    DUE = "due", _("Chưa thanh toán")
    PAID = "paid", _("Đã thanh toán")
    EXEMPT = "exempt", _("Được miễn")


class DeliveryStatus(models.TextChoices):
    NOT_READY = "not_ready", _("Chưa có kết quả")
    AT_DESK = "at_desk", _("Kết quả tại bộ phận một cửa")
    IN_TRANSIT = "in_transit", _("Đang chuyển phát")
    DELIVERED = "delivered", _("Đã giao")


class DossierCodeSequence(models.Model):
    """Last sequence number used by a receiving unit on a day (dossier code ``<e-ID>-<yyMMdd>-<NNNN>``)."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="dossier_code_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.day}: {self.last_value}"


class Dossier(models.Model):
    code = models.CharField(_("mã hồ sơ"), max_length=40, unique=True, null=True, blank=True)
    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion",
        verbose_name=_("thủ tục (phiên bản áp dụng)"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=32,
        choices=DossierStatus.choices,
        default=DossierStatus.DRAFT,
        db_index=True,
    )
    channel = models.CharField(_("kênh nộp"), max_length=16, choices=Channel.choices)

    # Applicant (chủ hồ sơ) and, when someone acts on their behalf, the submitter with an authorisation.
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="dossiers"
    )
    applicant_kind = models.CharField(
        _("loại đối tượng"), max_length=16, choices=ApplicantKind.choices, default=ApplicantKind.CITIZEN
    )
    applicant_name = models.CharField(_("tên chủ hồ sơ"), max_length=255)
    applicant_id_number = models.CharField(_("số định danh / mã số doanh nghiệp"), max_length=14)
    applicant_phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    submitter_name = models.CharField(_("người nộp thay"), max_length=255, blank=True)
    submitter_id_number = models.CharField(_("số định danh người nộp thay"), max_length=12, blank=True)
    authorisation_note = models.CharField(_("giấy ủy quyền"), max_length=255, blank=True)
    summary = models.TextField(_("trích yếu"), blank=True)
    form_data = models.JSONField(_("nội dung tờ khai"), default=dict, blank=True)

    # Decree 118/2025: where the applicant was helped, where the dossier was officially received, and
    # who decides — three different organisations under location-independent intake.
    helped_at = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="dossiers_helped"
    )
    receiving_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="dossiers_received"
    )
    competent_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="dossiers_competent"
    )

    submitted_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(_("ngày tiếp nhận"), null=True, blank=True)
    appointment_at = models.DateTimeField(_("ngày hẹn trả"), null=True, blank=True)
    original_appointment_at = models.DateTimeField(null=True, blank=True)
    processing_finished_at = models.DateTimeField(_("ngày kết thúc xử lý"), null=True, blank=True)
    returned_at = models.DateTimeField(_("ngày trả kết quả"), null=True, blank=True)
    return_method = models.CharField(
        _("hình thức nhận kết quả"), max_length=16, choices=ReturnMethod.choices, default=ReturnMethod.COUNTER
    )
    payment_status = models.CharField(
        max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.NOT_REQUIRED
    )
    delivery_status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.NOT_READY
    )
    # What the national index reads (DVCQG DuocThanhToanTrucTuyen, 766 indicator 3.6): paid online, and
    # how ("online_national" on the national platform, "online_province" through the province's gateway,
    # "counter_cash"/"counter_card" at the counter). Set by the payments app when an order is paid.
    paid_online = models.BooleanField(_("thanh toán trực tuyến"), default=False)
    payment_channel = models.CharField(_("hình thức thanh toán"), max_length=20, blank=True)
    supplement_requests = models.PositiveSmallIntegerField(default=0)
    # Set by the periodic deadline scan: "" (fine), "due_soon" or "overdue".
    lateness = models.CharField(max_length=16, blank=True, db_index=True)
    apologies = models.PositiveSmallIntegerField(default=0)
    # Working minutes left on the legal clock when it was paused (supplement, financial obligation).
    paused_remaining_minutes = models.IntegerField(null=True, blank=True)
    result_number = models.CharField(_("số, ký hiệu kết quả"), max_length=64, blank=True)
    # The second factor of the public status look-up, printed on the receipt (codes.lookup_secret_new).
    # Empty for dossiers created before it existed: those keep the last-4-digits factor.
    lookup_secret = models.CharField(_("mã tra cứu"), max_length=16, blank=True, default="")
    # Optional uses of the applicant's data need explicit consent (Law 91/2025/QH15 art. 9, Decree 356/2025:
    # never pre-ticked): when the applicant ticked each box; None = no consent.
    sms_consent_at = models.DateTimeField(_("đồng ý nhận tin nhắn SMS lúc"), null=True, blank=True)
    survey_consent_at = models.DateTimeField(_("đồng ý khảo sát mức độ hài lòng lúc"), null=True, blank=True)
    # Submitted by an account that logged in with a verified national e-identity (VNeID, level 2): the
    # national index reads it (DVCQG `TaiKhoanDuocXacThucVoiVNeID`, Decision 766 indicator 4.5).
    vneid_verified = models.BooleanField(_("tài khoản xác thực VNeID"), default=False)
    idempotency_key = models.CharField(max_length=128, blank=True)
    # SHA-256 of the canonical request sent with the key: a retry with the same key and another body is
    # refused (422) instead of silently answering with the first dossier (security review F11).
    idempotency_fingerprint = models.CharField(max_length=64, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="dossier_idempotency_key_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["competent_agency", "status"]),
            models.Index(fields=["receiving_agency", "status"]),
            models.Index(fields=["appointment_at"]),
        ]

    def __str__(self) -> str:
        return self.code or f"draft #{self.pk}"

    @property
    def lookup_secret_shown(self) -> str:
        """The look-up secret as printed and shown: two groups of four (ABCD-EFGH)."""
        secret = self.lookup_secret
        return f"{secret[:4]}-{secret[4:]}" if len(secret) == 8 else secret


class DossierComponent(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="components")
    catalogue_component = models.ForeignKey(
        "catalog.Component", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=1000)
    originals = models.PositiveSmallIntegerField(default=0)
    copies = models.PositiveSmallIntegerField(default=0)
    received = models.BooleanField(default=False)
    reused = models.BooleanField(default=False, help_text=_("Lấy lại từ dữ liệu đã số hóa"))
    # Taken from the applicant's data store instead of an upload (once-only; DVCQG `DuocLayTuKhoDMQG`), with
    # where it came from and its signature report at the time (identity.store).
    reused_from_store = models.BooleanField(_("lấy từ kho dữ liệu"), default=False)
    reuse_provenance = models.JSONField(null=True, blank=True)
    # Paper received at the counter, scanned into a PDF/A with a text layer and checked by the clerk
    # (digitization app; domain-vn.md §2.3, Decision 766 indicator 4.2).
    digitised = models.BooleanField(_("đã số hóa"), default=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class DossierFile(models.Model):
    component = models.ForeignKey(DossierComponent, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="dossiers/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # For a signed PDF the applicant attached: the verification report made on upload (signatures app).
    signature_report = models.JSONField(null=True, blank=True)
    # Images of identity documents are sensitive personal data (Decree 356/2025 art. 4): their bytes are
    # stored encrypted (dossiers/sensitive.py) and only a narrower set of staff may open them.
    encrypted = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.original_name


class DossierFee(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(max_length=500)
    amount = models.DecimalField(max_digits=14, decimal_places=0)
    exempt = models.BooleanField(default=False)
    # The catalogue's amount before an exemption or reduction, and that rule's legal basis (payments app).
    base_amount = models.DecimalField(max_digits=14, decimal_places=0, null=True, blank=True)
    basis = models.CharField(_("căn cứ miễn, giảm"), max_length=255, blank=True)
    # "submission" (due now) or "obligation" (due at the financial-obligation step).
    due = models.CharField(max_length=16, default="submission")

    def __str__(self) -> str:
        return f"{self.name}: {self.amount}"


class TaskStatus(models.TextChoices):
    WAITING = "waiting", _("Chưa đến lượt")
    ACTIVE = "active", _("Đang xử lý")
    DONE = "done", _("Đã xong")
    CANCELLED = "cancelled", _("Đã hủy")


class Task(models.Model):
    """A step of the internal process for one dossier, with its own due time from the calendar."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="tasks")
    step = models.ForeignKey(
        "catalog.ProcessStep", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=500)
    role = models.CharField(max_length=32)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="tasks")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    status = models.CharField(max_length=16, choices=TaskStatus.choices, default=TaskStatus.WAITING)
    budget_minutes = models.PositiveIntegerField(default=0)
    is_consultation = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, blank=True)  # early / on_time / late
    lateness = models.CharField(max_length=16, blank=True)  # "", due_soon, overdue (periodic scan)

    class Meta:
        ordering = ["order", "pk"]
        indexes = [models.Index(fields=["agency", "status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.order}. {self.name} ({self.status})"


class DossierEvent(models.Model):
    """The timeline: who, in which role and agency, when, from which state to which, and why."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    # A member of workflow.TimelineAction (the transitions, plus claim, assign, step_complete, consult,
    # apologise, rate); events.dossier_event_build refuses any other name.
    action = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField(max_length=32)
    actor_agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    from_status = models.CharField(max_length=32, blank=True)
    to_status = models.CharField(max_length=32, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class AccessKind(models.TextChoices):
    VIEW = "view", _("Xem hồ sơ")
    FILE = "file", _("Mở tệp đính kèm")
    PDF = "pdf", _("Tải văn bản PDF")
    EXPORT = "export", _("Xuất danh sách")
    API = "api", _("Đọc qua API")
    ACTION = "action", _("Thao tác xử lý")
    ADMIN_SEARCH = "admin_search", _("Tìm kiếm trong trang quản trị")


class DossierAccessLog(models.Model):
    """Every read and export of a dossier's personal data (Law 91/2025/QH15, Decree 356/2025): who, when,
    how and what. The log outlives the dossier and the reader's account (their code and name are copied
    here) and has its own retention (``MOTCUA_ACCESS_LOG_RETENTION_DAYS``, ``motcua access_log_purge``)."""

    dossier = models.ForeignKey(
        Dossier, null=True, blank=True, on_delete=models.SET_NULL, related_name="access_log"
    )
    dossier_code = models.CharField(max_length=40, blank=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reader = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=16, choices=AccessKind.choices, default=AccessKind.VIEW)
    # What was read: a file name, a document kind, an action, or a (masked) search query.
    target = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("nhật ký đọc dữ liệu hồ sơ")
        verbose_name_plural = _("nhật ký đọc dữ liệu hồ sơ")

    def __str__(self) -> str:
        return f"{self.reader} {self.kind} {self.dossier_code} {self.target} at {self.at}"


class StatusCodeMapping(models.Model):
    """Internal state → national status code (DVCQG ``TrangThaiHoSo``), as data with its basis."""

    status = models.CharField(max_length=32, choices=DossierStatus.choices)
    national_code = models.PositiveSmallIntegerField()
    national_label = models.CharField(max_length=255)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    legal_basis = models.CharField(max_length=255)

    class Meta:
        verbose_name = _("mã trạng thái hồ sơ trên Cổng DVCQG")
        verbose_name_plural = _("mã trạng thái hồ sơ trên Cổng DVCQG")
        constraints = [models.UniqueConstraint(fields=["status", "valid_from"], name="status_mapping_unique")]

    def __str__(self) -> str:
        return f"{self.status} → {self.national_code}"


class RatingCriterion(models.Model):
    """A satisfaction criterion as published by the national portal (law as data, with effective dates)."""

    code = models.CharField(max_length=32)
    text = models.CharField(max_length=500)
    text_en = models.CharField(max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    legal_basis = models.CharField(max_length=255)

    class Meta:
        ordering = ["order"]
        verbose_name = _("tiêu chí đánh giá mức độ hài lòng")
        verbose_name_plural = _("tiêu chí đánh giá mức độ hài lòng")
        constraints = [models.UniqueConstraint(fields=["code", "valid_from"], name="rating_criterion_unique")]

    def __str__(self) -> str:
        return self.text


class RatingLevel(models.IntegerChoices):
    VERY_SATISFIED = 3, _("Rất hài lòng")
    SATISFIED = 2, _("Hài lòng")
    UNSATISFIED = 1, _("Không hài lòng")


class Rating(models.Model):
    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="rating")
    scores = models.JSONField(default=dict)  # criterion code -> RatingLevel
    comment = models.TextField(blank=True)
    rated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"rating of {self.dossier_id}"
