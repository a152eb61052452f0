"""Admin: the personal-data processing log (read-only, filtered per official), the purposes, the store's
document kinds and the login policy switch."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.identity.models import (
    AccessorKind,
    ConsentPurpose,
    DataErrorReport,
    DocumentKind,
    LoginPolicy,
    PersonalDataAccess,
    StoredDocument,
    VneidLink,
    VneidLoginFailure,
)


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SystemAccessorFilter(admin.SimpleListFilter):
    """Per client system, as the gateway recorded it (kind "system" has no official to filter by)."""

    title = _("hệ thống khác")
    parameter_name = "system"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        names = (
            PersonalDataAccess.objects.filter(accessor_kind=AccessorKind.SYSTEM)
            .order_by("accessor")
            .values_list("accessor", flat=True)
            .distinct()[:200]
        )
        return [(name, name) for name in names]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value:
            return queryset.filter(accessor_kind=AccessorKind.SYSTEM, accessor=value)
        return queryset


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(_ReadOnly, admin.ModelAdmin[PersonalDataAccess]):
    """The administrator's audit: every processing, filtered per official ("user"), per client system
    (reads through the gateway) or per citizen."""

    list_display = ("at", "accessor_kind", "accessor", "subject_id_number", "data", "purpose")
    list_filter = ("accessor_kind", ("user", admin.RelatedOnlyFieldListFilter), SystemAccessorFilter)
    search_fields = ("accessor", "subject_id_number", "purpose")
    date_hierarchy = "at"


@admin.register(VneidLoginFailure)
class VneidLoginFailureAdmin(_ReadOnly, admin.ModelAdmin[VneidLoginFailure]):
    list_display = ("at", "reason", "ip", "detail")
    list_filter = ("reason",)


@admin.register(VneidLink)
class VneidLinkAdmin(_ReadOnly, admin.ModelAdmin[VneidLink]):
    list_display = ("user", "id_number", "assurance_level", "linked_at", "last_login_at")


@admin.register(LoginPolicy)
class LoginPolicyAdmin(admin.ModelAdmin[LoginPolicy]):
    list_display = ("__str__", "citizen_password_login", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not LoginPolicy.objects.exists()


@admin.register(ConsentPurpose)
class ConsentPurposeAdmin(admin.ModelAdmin[ConsentPurpose]):
    list_display = ("code", "name", "needs_consent", "valid_from", "valid_to", "legal_basis")


@admin.register(DocumentKind)
class DocumentKindAdmin(admin.ModelAdmin[DocumentKind]):
    list_display = ("code", "name", "component_names")


@admin.register(StoredDocument)
class StoredDocumentAdmin(_ReadOnly, admin.ModelAdmin[StoredDocument]):
    list_display = ("title", "owner_id_number", "source", "issuer", "issue_date", "signature_verdict")
    list_filter = ("source",)
    search_fields = ("owner_id_number", "title")


@admin.register(DataErrorReport)
class DataErrorReportAdmin(admin.ModelAdmin[DataErrorReport]):
    list_display = ("at", "user", "field", "message")
