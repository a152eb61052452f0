"""Admin of users and roles, scoped: a superuser sees everyone; an administrator sees the staff of the
agencies their administrator roles cover (their province for a province administrator); others nothing.

Access to /admin/ itself needs an OTP-verified session for users with a TOTP device (the
``StaffTwoFactorMiddleware`` sends them to /accounts/two-factor/ first)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import StaffRole, User
from motcua.accounts.selectors import admin_agency_ids, staff_roles_for_admin, users_for_admin
from motcua.agencies.models import Agency

# Fields that would let a delegated administrator raise their own (or anyone's) powers.
_SUPERUSER_ONLY_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


def _is_superuser(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_superuser", False))


def _scoped_agencies(request: HttpRequest) -> QuerySet[Agency]:
    if _is_superuser(request):
        return Agency.objects.all()
    return Agency.objects.filter(pk__in=admin_agency_ids(request.user))


class ScopedPermissionsMixin:
    """Powers here come from administrator roles (scope), not from Django's model permissions."""

    def _has_scope(self, request: HttpRequest) -> bool:
        return _is_superuser(request) or bool(admin_agency_ids(request.user))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._has_scope(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._has_scope(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._has_scope(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._has_scope(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # People and roles are records: end a role (valid_to) or deactivate an account instead.
        return _is_superuser(request)


class StaffRoleInline(ScopedPermissionsMixin, admin.TabularInline[StaffRole, User]):
    model = StaffRole
    fk_name = "user"
    extra = 0
    fields = ("agency", "role", "valid_from", "valid_to", "assigned_by")
    raw_id_fields = ("agency",)
    readonly_fields = ("assigned_by",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[StaffRole]:
        return super().get_queryset(request).filter(pk__in=staff_roles_for_admin(request.user).values("pk"))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "agency":
            kwargs["queryset"] = _scoped_agencies(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(User)
class UserAdmin(ScopedPermissionsMixin, DjangoUserAdmin[User]):
    list_display = (
        "username",
        "full_name",
        "kind",
        "national_id",
        "phone",
        "requires_2fa",
        "totp_status",
        "is_active",
    )
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

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return (
            super()
            .get_queryset(request)
            .filter(pk__in=users_for_admin(request.user).values("pk"))
            .annotate(has_totp=Exists(confirmed))
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if _is_superuser(request):
            return readonly
        return (*readonly, *_SUPERUSER_ONLY_FIELDS)

    @admin.display(description=_("xác thực hai lớp"), boolean=True, ordering="has_totp")
    def totp_status(self, obj: User) -> bool:
        return bool(getattr(obj, "has_totp", False))

    @admin.action(description=_("Bắt buộc xác thực hai lớp"))
    def require_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = queryset.update(requires_2fa=True)
        self.message_user(
            request,
            _("Đã bắt buộc xác thực hai lớp cho %(count)d tài khoản.") % {"count": count},
            messages.SUCCESS,
        )


@admin.register(StaffRole)
class StaffRoleAdmin(ScopedPermissionsMixin, admin.ModelAdmin[StaffRole]):
    list_display = ("user", "role", "agency", "valid_from", "valid_to", "assigned_by")
    list_filter = ("role", "agency__level")
    search_fields = ("user__username", "user__full_name", "agency__code", "agency__name")
    raw_id_fields = ("user", "agency")
    readonly_fields = ("assigned_by", "created_at")
    list_select_related = ("user", "agency", "assigned_by")

    def get_queryset(self, request: HttpRequest) -> QuerySet[StaffRole]:
        return super().get_queryset(request).filter(pk__in=staff_roles_for_admin(request.user).values("pk"))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "agency":
            kwargs["queryset"] = _scoped_agencies(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: StaffRole, form: Any, change: bool) -> None:
        if not change:
            obj.assigned_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


from motcua.accounts import admin_tokens  # noqa: E402,F401  (registers the API token admin)
