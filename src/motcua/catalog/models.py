"""The procedure catalogue, versioned: a dossier pins the ``ProcedureVersion`` it was received under.

Shapes follow the national procedure record (CSDLQG ``LayThuTuc``): components, fees per channel, the
legal time limit with its unit, result, competent agency and legal basis; plus the province's internal
process (Decision of the PPC Chairman) as ordered steps whose budgets add up to the legal limit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import Role

NATIONAL_CODE_RE = r"^[0-9]\.[0-9]{6}$"
national_code_validator = RegexValidator(
    NATIONAL_CODE_RE, _("Mã TTHC quốc gia có dạng d.dddddd, ví dụ 1.001193 / Use the form d.dddddd.")
)


class Field(models.Model):
    """Lĩnh vực (field / sector), e.g. "Hộ tịch", with its code from Circular 03/2025's list."""

    code = models.CharField(_("mã lĩnh vực"), max_length=32, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    sector = models.CharField(_("ngành"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """The stable identity of a procedure; everything that the law can change lives in its versions."""

    national_code = models.CharField(
        _("mã TTHC quốc gia"), max_length=8, blank=True, validators=[national_code_validator]
    )
    local_code = models.CharField(_("mã TTHC địa phương"), max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["local_code"]

    def __str__(self) -> str:
        return self.local_code


class AdministrativeLevel(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    COMMUNE = "commune", _("Cấp xã")
    DISTRICT = "district", _("Cấp huyện (trước 01/07/2025)")
    CENTRAL = "central", _("Cấp trung ương")


class OnlineLevel(models.TextChoices):
    # Decree 42/2022/NĐ-CP, art. 11.
    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")
    NONE = "none", _("Không cung cấp trực tuyến")


class Channel(models.TextChoices):
    # DVCQG ``KenhThucHien``: 1 in person, 2 online, 3 public post.
    COUNTER = "counter", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POST = "post", _("Qua bưu chính công ích")


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("Ngày làm việc")
    DAYS = "days", _("Ngày")
    HOURS = "hours", _("Giờ làm việc")
    MONTHS = "months", _("Tháng")
    # "Trong ngày; nếu tiếp nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo".
    SAME_DAY = "same_day", _("Trong ngày")


class ResultType(models.TextChoices):
    LICENCE = "licence", _("Giấy phép")
    CERTIFICATE = "certificate", _("Giấy chứng nhận / xác nhận")
    DECISION = "decision", _("Quyết định")
    EXTRACT = "extract", _("Trích lục / bản sao")
    OTHER = "other", _("Văn bản khác")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    PUBLISHED = "published", _("Đã công bố")


class ProcedureVersionQuerySet(models.QuerySet["ProcedureVersion"]):
    def published(self) -> ProcedureVersionQuerySet:
        return self.filter(status=VersionStatus.PUBLISHED)

    def effective_on(self, day: dt.date) -> ProcedureVersionQuerySet:
        return (
            self.published()
            .filter(effective_from__lte=day)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        )


class ProcedureVersion(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("phiên bản"))
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    effective_from = models.DateField(_("hiệu lực từ"))
    effective_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    publication_decision = models.CharField(_("quyết định công bố"), max_length=255, blank=True)

    name = models.CharField(_("tên thủ tục"), max_length=500)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=500, blank=True)
    field = models.ForeignKey(
        Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="versions"
    )
    level = models.CharField(_("cấp thực hiện"), max_length=16, choices=AdministrativeLevel.choices)
    online_level = models.CharField(
        _("mức độ DVC trực tuyến"), max_length=16, choices=OnlineLevel.choices, default=OnlineLevel.PARTIAL
    )
    # Subset of Channel values.
    channels = models.JSONField(_("cách thức thực hiện"), default=list)
    competent_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("cơ quan có thẩm quyền"),
        on_delete=models.PROTECT,
        related_name="competent_for",
    )
    receiving_agencies = models.ManyToManyField(
        "agencies.Agency", verbose_name=_("nơi tiếp nhận"), blank=True, related_name="receives_for"
    )
    time_limit_value = models.DecimalField(
        _("thời hạn giải quyết"), max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    time_limit_unit = models.CharField(_("đơn vị thời hạn"), max_length=16, choices=TimeUnit.choices)
    # For SAME_DAY limits: received after this time → next working day (commonly 15:00).
    same_day_cutoff = models.TimeField(_("giờ chốt tiếp nhận trong ngày"), null=True, blank=True)
    # The cut-off is set by each procedure's sector law (e.g. Decree 23/2015 as amended for certification),
    # not by the one-stop decrees; the text names it so the citizen and the clerk can check it.
    same_day_cutoff_basis = models.CharField(_("căn cứ giờ chốt trong ngày"), max_length=500, blank=True)
    time_limit_note = models.TextField(_("ghi chú thời hạn"), blank=True)
    result_type = models.CharField(_("loại kết quả"), max_length=16, choices=ResultType.choices)
    result_name = models.CharField(_("tên kết quả"), max_length=500)
    result_code = models.CharField(_("mã kết quả"), max_length=64, blank=True)
    sequence = models.TextField(_("trình tự thực hiện"), blank=True)
    subjects = models.TextField(_("đối tượng thực hiện"), blank=True)
    requirements = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    process_decision = models.CharField(
        _("quyết định phê duyệt quy trình nội bộ"), max_length=255, blank=True
    )
    # Denormalised, diacritic-free text for search ("dang ky khai sinh" finds "Đăng ký khai sinh").
    search_text = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProcedureVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        ordering = ["procedure__local_code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="procedure_version_number_unique"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="procedure_version_dates_order",
            ),
        ]
        indexes = [models.Index(fields=["status", "effective_from"])]

    def __str__(self) -> str:
        return f"{self.procedure.local_code} v{self.number}: {self.name}"


class LegalBasis(models.Model):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="legal_bases")
    order = models.PositiveSmallIntegerField(default=0)
    number = models.CharField(_("số, ký hiệu"), max_length=128)
    title = models.CharField(_("trích yếu"), max_length=500)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)

    class Meta:
        verbose_name = _("căn cứ pháp lý")
        verbose_name_plural = _("căn cứ pháp lý")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.number


class CopyKind(models.TextChoices):
    ORIGINAL = "original", _("Bản chính")
    COPY = "copy", _("Bản sao")
    CERTIFIED_COPY = "certified_copy", _("Bản sao có chứng thực")
    ORIGINAL_OR_COPY = "original_or_copy", _("Bản chính hoặc bản sao")


class Component(models.Model):
    """Thành phần hồ sơ: one document the applicant must (or may) provide."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="components")
    order = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(_("mã thành phần"), max_length=64, blank=True)
    name = models.CharField(_("tên giấy tờ"), max_length=1000)
    copy_kind = models.CharField(
        _("loại bản"), max_length=32, choices=CopyKind.choices, default=CopyKind.ORIGINAL
    )
    originals = models.PositiveSmallIntegerField(_("số bản chính"), default=1)
    copies = models.PositiveSmallIntegerField(_("số bản sao"), default=0)
    required = models.BooleanField(_("bắt buộc"), default=True)
    template_name = models.CharField(_("mẫu đơn, tờ khai"), max_length=255, blank=True)
    template_file = models.FileField(_("tệp mẫu"), upload_to="catalog/templates/", blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    # An image of an identity document (ID card, passport) is sensitive personal data (Decree 356/2025
    # art. 4): its uploads are encrypted at rest and opened by fewer staff (dossiers/sensitive.py).
    is_identity_document = models.BooleanField(_("giấy tờ tùy thân"), default=False)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class FeeKind(models.TextChoices):
    FEE = "fee", _("Phí")
    CHARGE = "charge", _("Lệ phí")


class Fee(models.Model):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    order = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(_("mã phí"), max_length=64, blank=True)
    kind = models.CharField(_("loại"), max_length=16, choices=FeeKind.choices, default=FeeKind.CHARGE)
    name = models.CharField(_("tên phí, lệ phí"), max_length=500)
    amount = models.DecimalField(
        _("mức thu (VNĐ)"), max_digits=14, decimal_places=0, validators=[MinValueValidator(Decimal(0))]
    )
    # Empty means every channel; online submission is often charged less (e.g. residence registration).
    channel = models.CharField(_("áp dụng cho kênh"), max_length=16, choices=Channel.choices, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    exemptions = models.TextField(_("miễn, giảm"), blank=True)
    legal_basis = models.CharField(_("căn cứ"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount}"


class BudgetUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("Ngày làm việc")
    HOURS = "hours", _("Giờ làm việc")
    DAYS = "days", _("Ngày")


class ProcessStep(models.Model):
    """One step of the internal process (quy trình nội bộ) approved for this version."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên bước"), max_length=500)
    role = models.CharField(_("vai trò thực hiện"), max_length=32, choices=Role.choices)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("đơn vị thực hiện"),
        on_delete=models.PROTECT,
        related_name="process_steps",
    )
    budget_value = models.DecimalField(
        _("thời gian"), max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    budget_unit = models.CharField(_("đơn vị"), max_length=16, choices=BudgetUnit.choices)
    # Steps sharing a non-empty group run in parallel; the group costs its longest step.
    parallel_group = models.CharField(_("nhóm song song"), max_length=32, blank=True)
    is_approval = models.BooleanField(_("bước phê duyệt"), default=False)
    is_signature = models.BooleanField(_("bước ký số"), default=False)

    class Meta:
        verbose_name = _("bước quy trình")
        verbose_name_plural = _("bước quy trình")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="process_step_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"
