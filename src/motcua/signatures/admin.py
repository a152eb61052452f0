"""Admin of the managed trust list: the root and intermediate CAs whose signatures the province accepts,
and their CRLs. Only superusers and administrators (Quản trị hệ thống) see it: trusting a CA decides
which signed documents the public verification page calls valid. Each change is recorded in the admin's
log (who, when, what)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Max, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.core.access import agency_scope_for_admin
from motcua.core.errors import ApplicationError
from motcua.signatures.models import RevocationList, TrustedCertificate
from motcua.signatures.revocation import revocation_lists_refresh
from motcua.signatures.trust import (
    certificate_check_trustable,
    certificate_load,
    trusted_certificate_add,
    trusted_certificates_enable,
)

MAX_PEM_UPLOAD = 64 * 1024  # a certificate is 1–3 KB; a bundle of a few is still far below this


def _may_manage_trust(request: HttpRequest) -> bool:
    user = request.user
    if not (getattr(user, "is_active", False) and getattr(user, "is_staff", False)):
        return False
    scope = agency_scope_for_admin(user)
    return scope is None or bool(scope)  # None: superuser; a non-empty set: an administrator


class TrustedCertificateAddForm(forms.ModelForm[TrustedCertificate]):
    pem_file = forms.FileField(
        label=_("Tệp chứng thư (PEM/DER)"), required=False, help_text=_("hoặc dán nội dung PEM bên dưới")
    )
    pem_text = forms.CharField(
        label=_("Chứng thư (PEM)"), required=False, widget=forms.Textarea(attrs={"rows": 8, "cols": 70})
    )
    crl_urls_text = forms.CharField(
        label=_("Địa chỉ CRL do CA này phát hành"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 70}),
        help_text=_("mỗi dòng một URL (http/https)"),
    )

    class Meta:
        model = TrustedCertificate
        fields = ("name", "kind", "source", "ocsp_url")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].help_text = _("để trống: lấy tên chung (CN) của chứng thư")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("pem_file")
        if upload is not None and upload.size > MAX_PEM_UPLOAD:
            raise forms.ValidationError(_("Tệp quá lớn / The file is too large."))
        data: bytes = upload.read() if upload is not None else (cleaned.get("pem_text") or "").encode()
        if not data.strip():
            raise forms.ValidationError(
                _("Hãy tải lên hoặc dán chứng thư / Upload or paste the certificate.")
            )
        try:
            certificate_check_trustable(certificate_load(data))
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc
        urls = [line.strip() for line in (cleaned.get("crl_urls_text") or "").splitlines() if line.strip()]
        for url in urls:
            if not url.lower().startswith(("http://", "https://")):
                raise forms.ValidationError(_("URL CRL phải là http/https: %(url)s"), params={"url": url})
        cleaned["certificate_data"] = data
        cleaned["crl_urls"] = urls
        return cleaned


class RevocationListInline(admin.TabularInline[RevocationList, TrustedCertificate]):
    model = RevocationList
    extra = 0
    can_delete = False
    fields = ("this_update", "next_update", "fetched_at", "source_url")
    readonly_fields = fields
    ordering = ("-this_update",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TrustedCertificate)
class TrustedCertificateAdmin(admin.ModelAdmin[TrustedCertificate]):
    list_display = ("name", "kind", "subject", "not_after", "enabled", "newest_crl")
    list_filter = ("kind", "enabled")
    search_fields = ("name", "subject", "fingerprint_sha256", "source")
    readonly_fields = (
        "subject",
        "fingerprint_sha256",
        "not_before",
        "not_after",
        "certificate_pem",
        "added_at",
    )
    fields = (
        "name",
        "kind",
        "enabled",
        "source",
        "crl_urls",
        "ocsp_url",
        *readonly_fields,
    )
    inlines = (RevocationListInline,)
    actions = ("enable", "disable", "refresh_crls")

    # --- who may see and change the trust list ------------------------------------------------------
    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_manage_trust(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_manage_trust(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _may_manage_trust(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_manage_trust(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Disabling keeps the record of what was trusted when; deleting is for mistakes, superusers only.
        return bool(getattr(request.user, "is_superuser", False))

    # --- list -----------------------------------------------------------------------------------------
    def get_queryset(self, request: HttpRequest) -> QuerySet[TrustedCertificate]:
        return super().get_queryset(request).annotate(newest_crl_at=Max("crls__this_update"))

    @admin.display(description=_("CRL mới nhất"), ordering="newest_crl_at")
    def newest_crl(self, obj: TrustedCertificate) -> Any:
        return getattr(obj, "newest_crl_at", None) or "—"

    # --- add: a PEM upload or paste, checked by the trust-list service -------------------------------
    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = TrustedCertificateAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [
                (
                    None,
                    {
                        "fields": (
                            "pem_file",
                            "pem_text",
                            "name",
                            "kind",
                            "source",
                            "crl_urls_text",
                            "ocsp_url",
                        )
                    },
                )
            ]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> Any:
        return super().get_inline_instances(request, obj) if obj is not None else []

    def save_model(self, request: HttpRequest, obj: TrustedCertificate, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        created = trusted_certificate_add(
            pem=data["certificate_data"],
            name=data.get("name") or "",
            kind=data["kind"],
            source=data.get("source") or "",
            crl_urls=data["crl_urls"],
            ocsp_url=data.get("ocsp_url") or "",
        )
        # The admin goes on with ``obj`` (log entry, redirect): make it the row the service saved.
        for model_field in TrustedCertificate._meta.concrete_fields:
            setattr(obj, model_field.attname, getattr(created, model_field.attname))
        obj._state.adding = False
        obj._state.db = created._state.db

    # --- actions ----------------------------------------------------------------------------------------
    @admin.action(description=_("Bật (tin cậy) các chứng thư đã chọn"))
    def enable(self, request: HttpRequest, queryset: QuerySet[TrustedCertificate]) -> None:
        self._set_enabled(request, queryset, enabled=True)

    @admin.action(description=_("Tắt (ngừng tin cậy) các chứng thư đã chọn"))
    def disable(self, request: HttpRequest, queryset: QuerySet[TrustedCertificate]) -> None:
        self._set_enabled(request, queryset, enabled=False)

    def _set_enabled(
        self, request: HttpRequest, queryset: QuerySet[TrustedCertificate], *, enabled: bool
    ) -> None:
        chosen = list(queryset)
        count = trusted_certificates_enable(ids=[c.pk for c in chosen], enabled=enabled)
        for certificate in chosen:
            self.log_change(request, certificate, [{"changed": {"fields": ["enabled"]}}])
        self.message_user(request, _("Đã cập nhật %(count)d chứng thư.") % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Cập nhật CRL ngay"))
    def refresh_crls(self, request: HttpRequest, queryset: QuerySet[TrustedCertificate]) -> None:
        if not settings.MOTCUA_REVOCATION_FETCHING:
            self.message_user(
                request,
                _(
                    "Không tải CRL: MOTCUA_REVOCATION_FETCHING đang tắt / "
                    "CRL fetching is off (MOTCUA_REVOCATION_FETCHING)."
                ),
                messages.WARNING,
            )
            return
        result = revocation_lists_refresh(certificate_ids=list(queryset.values_list("pk", flat=True)))
        level = messages.SUCCESS if not result["failed"] else messages.WARNING
        self.message_user(
            request,
            _("CRL: %(fetched)d cập nhật, %(failed)d lỗi. %(errors)s")
            % {
                "fetched": result["fetched"],
                "failed": result["failed"],
                "errors": "; ".join(result["errors"]),
            },
            level,
        )
