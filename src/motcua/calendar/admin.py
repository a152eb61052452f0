from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.accounts.http import AuthenticatedHttpRequest
from motcua.calendar.models import CalendarException, WorkingWeek
from motcua.calendar.services import calendar_exception_confirm


@admin.register(WorkingWeek)
class WorkingWeekAdmin(admin.ModelAdmin[WorkingWeek]):
    list_display = ("scope", "agency", "working_weekdays", "valid_from", "source_document")
    list_filter = ("scope",)


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin[CalendarException]):
    list_display = ("date", "weekday", "kind", "name", "scope", "agency", "confirmed", "source_document")
    list_filter = ("confirmed", "kind", "scope", ("date", admin.DateFieldListFilter))
    search_fields = ("name", "source_document", "note")
    date_hierarchy = "date"
    readonly_fields = ("confirmed_by",)
    actions = ["confirm_selected"]

    @admin.display(description=_("thứ"))
    def weekday(self, obj: CalendarException) -> str:
        return ["T2", "T3", "T4", "T5", "T6", "T7", "CN"][obj.date.weekday()]

    @admin.action(description=_("Xác nhận các ngày đã chọn (đã đối chiếu văn bản chính thức)"))
    def confirm_selected(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet[CalendarException]
    ) -> None:
        count = 0
        for row in queryset.filter(confirmed=False):
            calendar_exception_confirm(exception=row, user=request.user)
            count += 1
        self.message_user(request, _("Đã xác nhận %(n)d ngày.") % {"n": count}, messages.SUCCESS)

    def save_model(self, request: HttpRequest, obj: CalendarException, form: Any, change: bool) -> None:
        if obj.confirmed and obj.confirmed_by_id is None:
            # A row confirmed by hand is the administrator's: `calendar seed` never overwrites it.
            obj.confirmed_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        from motcua.calendar.selectors import work_calendar_invalidate

        work_calendar_invalidate()
