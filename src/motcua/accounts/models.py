"""People: citizens, businesses and staff. Staff powers come from roles held *in an agency*."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

national_id_validator = RegexValidator(
    r"^[0-9]{12}$", _("Số định danh cá nhân gồm 12 chữ số / The personal ID number has 12 digits.")
)


class AccountKind(models.TextChoices):
    CITIZEN = "citizen", _("Công dân")
    BUSINESS = "business", _("Tổ chức, doanh nghiệp")
    STAFF = "staff", _("Cán bộ, công chức")


class Role(models.TextChoices):
    ONE_STOP_CLERK = "one_stop_clerk", _("Cán bộ tiếp nhận (một cửa)")
    SPECIALIST = "specialist", _("Chuyên viên xử lý")
    LEADER = "leader", _("Lãnh đạo (phê duyệt, ký)")
    CLERICAL_OFFICER = "clerical_officer", _("Văn thư (vào số, phát hành)")
    IOC_VIEWER = "ioc_viewer", _("Theo dõi IOC")
    ADMINISTRATOR = "administrator", _("Quản trị hệ thống")


class User(AbstractUser):
    kind = models.CharField(
        _("loại tài khoản"), max_length=16, choices=AccountKind.choices, default=AccountKind.CITIZEN
    )
    full_name = models.CharField(_("họ và tên"), max_length=255, blank=True)
    national_id = models.CharField(
        _("số định danh cá nhân"), max_length=12, blank=True, validators=[national_id_validator]
    )
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    # Mã số doanh nghiệp / mã số thuế for business accounts.
    business_code = models.CharField(_("mã số doanh nghiệp"), max_length=14, blank=True)
    organisation_name = models.CharField(_("tên tổ chức"), max_length=255, blank=True)
    title = models.CharField(_("chức danh"), max_length=128, blank=True)
    # An administrator can demand two-factor login of one staff member (the province-wide switch is
    # MOTCUA_REQUIRE_STAFF_2FA).
    requires_2fa = models.BooleanField(_("bắt buộc xác thực hai lớp"), default=False)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        constraints = [
            models.UniqueConstraint(
                fields=["national_id"], condition=~Q(national_id=""), name="user_national_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_staff_member(self) -> bool:
        return self.kind == AccountKind.STAFF


class StaffRoleQuerySet(models.QuerySet["StaffRole"]):
    def active_on(self, day: dt.date) -> StaffRoleQuerySet:
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class StaffRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_roles")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="staff_roles")
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices)
    valid_from = models.DateField(_("từ ngày"), default=dt.date(2000, 1, 1))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)
    assigned_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StaffRoleQuerySet.as_manager()

    class Meta:
        verbose_name = _("vai trò cán bộ")
        verbose_name_plural = _("vai trò cán bộ")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role", "valid_from"], name="staff_role_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.agency.code}"
