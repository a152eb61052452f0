"""The agency tree: province → departments and centres → units, and communes.

Agencies are never deleted: a merged or abolished agency gets ``valid_to`` and a ``successor`` so that
old dossiers keep pointing at the body that received them (2025: districts abolished, provinces merged).
"""

from __future__ import annotations

import datetime as dt

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Decision 20/2020/QĐ-TTg: LLL.KK.JJ.Xnn — levels 4, 3, 2 then the level-1 code (letter + 2 digits).
AGENCY_CODE_RE = r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}$"
agency_code_validator = RegexValidator(
    AGENCY_CODE_RE,
    _("Mã định danh phải có dạng LLL.KK.JJ.Xnn, ví dụ 000.00.01.H26 / Use the form LLL.KK.JJ.Xnn."),
)


# Tax codes (mã số thuế) of organisations, Law 38/2019/QH14 art. 30: 10 digits, or for a dependent unit the
# parent's 10 digits, "-" and 3 digits. The check digit is not verified here: a valid code refused by a
# guessed rule would stop a province issuing receipts; the tax authority's register is the check.
TAX_CODE_RE = r"^[0-9]{10}(-[0-9]{3})?$"
tax_code_validator = RegexValidator(
    TAX_CODE_RE,
    _(
        "Mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu “-” và 3 chữ số (đơn vị phụ thuộc), ví dụ 0101234567"
        " hoặc 0101234567-001 / A tax code is 10 digits, or 10 digits, “-” and 3 digits (a dependent unit)."
    ),
)


class AgencyLevel(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DEPARTMENT = "department", _("Sở, ban, ngành, trung tâm cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện (lịch sử, trước 01/07/2025)")
    COMMUNE = "commune", _("Cấp xã")
    UNIT = "unit", _("Phòng, đơn vị trực thuộc")


class AgencyQuerySet(models.QuerySet["Agency"]):
    def valid_on(self, day: dt.date) -> AgencyQuerySet:
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class Agency(models.Model):
    code = models.CharField(
        _("mã định danh điện tử"), max_length=13, unique=True, validators=[agency_code_validator]
    )
    name = models.CharField(_("tên"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    # Used in document symbols such as "Số: 15/QĐ-UBND" (Decree 30/2020).
    abbreviation = models.CharField(_("tên viết tắt"), max_length=32, blank=True)
    level = models.CharField(_("cấp"), max_length=16, choices=AgencyLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_service_centre = models.BooleanField(
        _("là Trung tâm Phục vụ hành chính công / bộ phận một cửa"), default=False
    )
    valid_from = models.DateField(_("hiệu lực từ"), default=dt.date(2000, 1, 1))
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan kế thừa"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    legal_basis = models.CharField(_("căn cứ thành lập / sáp nhập"), max_length=255, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=32, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    # Printed on every e-receipt of fees the agency collects (Decree 123/2020/NĐ-CP art. 32): without it
    # the agency's receipts are not issued (payments.receipts).
    tax_code = models.CharField(
        _("mã số thuế"),
        max_length=14,
        blank=True,
        validators=[tax_code_validator],
        help_text=_("Bắt buộc để phát hành biên lai thu phí, lệ phí điện tử (Nghị định 123/2020/NĐ-CP)."),
    )

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="agency_valid_to_after_valid_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)

    @property
    def province_code(self) -> str:
        return self.code.rsplit(".", 1)[-1]


class OfficeHours(models.Model):
    """One opening session of a service centre on a weekday (e.g. Monday 07:30–11:30)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="office_hours")
    weekday = models.PositiveSmallIntegerField(
        _("thứ"),
        choices=[
            (0, _("Thứ Hai")),
            (1, _("Thứ Ba")),
            (2, _("Thứ Tư")),
            (3, _("Thứ Năm")),
            (4, _("Thứ Sáu")),
            (5, _("Thứ Bảy")),
            (6, _("Chủ nhật")),
        ],
    )
    opens_at = models.TimeField(_("giờ mở cửa"))
    closes_at = models.TimeField(_("giờ đóng cửa"))

    class Meta:
        verbose_name = _("giờ làm việc")
        verbose_name_plural = _("giờ làm việc")
        ordering = ["agency", "weekday", "opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="office_hours_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency.code} {self.weekday} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"
