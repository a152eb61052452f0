"""Admin of the agency tree: indented list in tree order, office hours inline, history fields.

Superusers see every agency; any other staff member sees (and may edit) only the agencies their active
administrator roles cover — the scope comes from ``core.access`` (computed by ``accounts``)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from motcua.agencies.models import Agency, AgencyLevel, AgencyQuerySet, OfficeHours
from motcua.agencies.selectors import agencies_in_tree_order
from motcua.core import clock
from motcua.core.access import agency_scope_for_admin


class OfficeHoursInline(admin.TabularInline[OfficeHours, Agency]):
    model = OfficeHours
    extra = 0


class ParentFilter(admin.SimpleListFilter):
    """Filter by parent agency, listing only agencies that have children (and are in scope)."""

    title = _("cơ quan cấp trên")
    parameter_name = "parent"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        parents = _scoped(request, Agency.objects.filter(children__isnull=False)).distinct()
        return [(str(a.pk), f"{a.code} — {a.name}") for a in parents.order_by("code")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Agency]) -> QuerySet[Agency]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(parent_id=int(value))
        return queryset


class CurrentFilter(admin.SimpleListFilter):
    title = _("hiệu lực")
    parameter_name = "current"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Đang hoạt động")), ("no", _("Đã chấm dứt (lịch sử)"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Agency]) -> QuerySet[Agency]:
        today = clock.local_today()
        if self.value() == "yes":
            # The admin filters Agency.objects, whose queryset class is AgencyQuerySet.
            return cast(AgencyQuerySet, queryset).valid_on(today)
        if self.value() == "no":
            return queryset.filter(valid_to__lt=today)
        return queryset


def _scoped(request: HttpRequest, queryset: QuerySet[Agency]) -> QuerySet[Agency]:
    scope = agency_scope_for_admin(request.user)
    if scope is None:
        return queryset
    return queryset.filter(pk__in=scope)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin[Agency]):
    list_display = (
        "tree_name",
        "code",
        "abbreviation",
        "level",
        "is_service_centre",
        "tax_code",  # an agency collecting fees without one issues no e-receipt (payments.receipts)
        "valid_from",
        "valid_to",
        "successor",
    )
    list_display_links = ("tree_name",)
    list_filter = ("level", ParentFilter, "is_service_centre", CurrentFilter)
    search_fields = ("code", "name", "abbreviation", "tax_code")
    raw_id_fields = ("parent", "successor")
    list_select_related = ("successor",)
    inlines = [OfficeHoursInline]
    fieldsets = (
        (None, {"fields": ("code", "name", "name_en", "abbreviation", "level", "parent")}),
        (_("Một cửa"), {"fields": ("is_service_centre",)}),
        (_("Liên hệ"), {"fields": ("address", "phone", "email")}),
        (_("Thu phí, lệ phí"), {"fields": ("tax_code",)}),
        (
            _("Lịch sử (thành lập, sáp nhập, giải thể)"),
            {"fields": ("valid_from", "valid_to", "successor", "legal_basis")},
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Agency]:
        # Not super(): it orders by get_ordering() before the tree_path annotation exists.
        return agencies_in_tree_order(_scoped(request, Agency.objects.all()))

    def get_ordering(self, request: HttpRequest) -> tuple[str, ...]:
        # The annotation from agencies_in_tree_order (not a model field, so not in ``ordering``) — on this
        # admin's list only. Django also orders the choices of every other form's foreign key to Agency by
        # this (the office-hours inline of the change page, other apps' admins), over the plain manager
        # without the annotation: there the code orders them (the change page answered 500 before).
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "agencies_agency_changelist":
            return ("tree_path",)
        return ("code",)

    @admin.display(description=_("tên"), ordering="tree_path")
    def tree_name(self, obj: Agency) -> str:
        depth = getattr(obj, "tree_depth", 0)
        label = obj.name
        if obj.level == AgencyLevel.DISTRICT or (obj.valid_to and obj.valid_to < clock.local_today()):
            label = f"{obj.name} ({_('lịch sử')})"
        return format_html('<span class="tree-depth-{}">{}{}</span>', depth, "— " * depth, label)

    def _in_scope(self, request: HttpRequest, obj: Agency | None) -> bool:
        scope = agency_scope_for_admin(request.user)
        if scope is None:
            return True
        if obj is None:
            return bool(scope)
        return obj.pk in scope

    # Powers in this admin come from administrator roles (scope), not from Django model permissions.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._in_scope(request, None)

    def has_view_permission(self, request: HttpRequest, obj: Agency | None = None) -> bool:
        return self._in_scope(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Agency | None = None) -> bool:
        return self._in_scope(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._in_scope(request, None)

    def has_delete_permission(self, request: HttpRequest, obj: Agency | None = None) -> bool:
        # Agencies are never deleted: they end and name a successor (see agencies.services.agency_merge).
        return False

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in ("parent", "successor"):
            kwargs["queryset"] = _scoped(request, Agency.objects.all())
            if db_field.name == "parent" and agency_scope_for_admin(request.user) is not None:
                # Only a superuser may create a new root (a province).
                kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
