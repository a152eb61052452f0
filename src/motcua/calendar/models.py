"""The working-day calendar as data: a weekly pattern plus dated exceptions with their legal source.

Deadline arithmetic itself lives in ``deadlines.py`` as pure functions over a ``WorkCalendar`` value;
``selectors.work_calendar_for`` builds that value from these rows.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    NATIONAL = "national", _("Toàn quốc")
    PROVINCE = "province", _("Cấp tỉnh")
    CENTRE = "centre", _("Trung tâm / cơ quan")


class ExceptionKind(models.TextChoices):
    HOLIDAY = "holiday", _("Ngày lễ, Tết")
    COMPENSATORY = "compensatory", _("Nghỉ bù")
    SWAP_OFF = "swap_off", _("Nghỉ hoán đổi")
    SWAP_WORK = "swap_work", _("Làm bù (thứ Bảy làm việc)")
    CLOSURE = "closure", _("Tạm ngừng tiếp nhận")

    @property
    def is_day_off(self) -> bool:
        return self != ExceptionKind.SWAP_WORK


class WorkingWeek(models.Model):
    """Which weekdays are working days, from a date, for a scope (national default: Monday–Friday)."""

    scope = models.CharField(_("phạm vi"), max_length=16, choices=Scope.choices, default=Scope.NATIONAL)
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.CASCADE)
    # Comma-separated ISO weekday numbers, Monday = 0, e.g. "0,1,2,3,4".
    working_weekdays = models.CharField(_("các ngày làm việc trong tuần"), max_length=20, default="0,1,2,3,4")
    valid_from = models.DateField(_("áp dụng từ"))
    source_document = models.CharField(_("căn cứ"), max_length=255)

    class Meta:
        verbose_name = _("tuần làm việc")
        verbose_name_plural = _("tuần làm việc")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.scope} {self.working_weekdays} from {self.valid_from}"

    @property
    def weekdays(self) -> frozenset[int]:
        return frozenset(int(p) for p in self.working_weekdays.split(",") if p.strip())


class CalendarException(models.Model):
    date = models.DateField(_("ngày"))
    kind = models.CharField(_("loại"), max_length=16, choices=ExceptionKind.choices)
    name = models.CharField(_("tên"), max_length=255)
    scope = models.CharField(_("phạm vi"), max_length=16, choices=Scope.choices, default=Scope.NATIONAL)
    agency = models.ForeignKey(
        "agencies.Agency",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Bắt buộc khi phạm vi là cấp tỉnh hoặc trung tâm."),
    )
    source_document = models.CharField(_("văn bản căn cứ"), max_length=255)
    # Proposals (``motcua calendar propose``) stay unconfirmed, and so ignored by deadlines, until an
    # administrator checks them against the Government's official schedule for the year.
    confirmed = models.BooleanField(_("đã xác nhận"), default=True)
    confirmed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("ngày nghỉ / làm bù")
        verbose_name_plural = _("ngày nghỉ / làm bù")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "scope"],
                condition=Q(agency__isnull=True),
                name="calendar_exception_unique_national",
            ),
            models.UniqueConstraint(
                fields=["date", "scope", "agency"],
                condition=Q(agency__isnull=False),
                name="calendar_exception_unique_local",
            ),
            models.CheckConstraint(
                condition=Q(scope="national", agency__isnull=True)
                | (~Q(scope="national") & Q(agency__isnull=False)),
                name="calendar_exception_scope_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}: {self.name}"
