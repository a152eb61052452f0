"""Admin: the personal-data processing log (read-only, filtered per official), the purposes, the store's
document kinds and the login policy switch."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from motcua.identity.models import (
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


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(_ReadOnly, admin.ModelAdmin[PersonalDataAccess]):
    """The administrator's audit: every processing, filtered per official ("user") or per citizen."""

    list_display = ("at", "accessor_kind", "accessor", "subject_id_number", "data", "purpose")
    list_filter = ("accessor_kind", ("user", admin.RelatedOnlyFieldListFilter))
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
