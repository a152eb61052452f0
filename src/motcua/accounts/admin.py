from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import StaffRole, User


class StaffRoleInline(admin.TabularInline[StaffRole, User]):
    model = StaffRole
    fk_name = "user"
    extra = 0
    raw_id_fields = ("agency",)
    readonly_fields = ("assigned_by",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "full_name", "kind", "national_id", "requires_2fa", "is_active")
    list_filter = ("kind", "requires_2fa", "is_active", "is_staff")
    search_fields = ("username", "full_name", "national_id", "phone", "email")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (
            _("Một Cửa"),
            {
                "fields": (
                    "kind",
                    "full_name",
                    "national_id",
                    "phone",
                    "business_code",
                    "organisation_name",
                    "title",
                    "requires_2fa",
                )
            },
        ),
    )
    inlines = [StaffRoleInline]
    actions = ["require_two_factor"]

    @admin.action(description=_("Bắt buộc xác thực hai lớp"))
    def require_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        queryset.update(requires_2fa=True)
