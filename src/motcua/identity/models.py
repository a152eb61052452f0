"""Citizens' identity and their data: the record of every processing of a citizen's personal data
(Law 91/2025/QH15, Decree 356/2025), consent per purpose, VNeID links, refused logins and the personal
data store (kho dữ liệu điện tử của tổ chức, cá nhân — Decree 45/2020 art. 16, Decree 107/2021)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AccessorKind(models.TextChoices):
    STAFF = "staff", _("Cán bộ, công chức")
    SYSTEM = "system", _("Hệ thống khác (qua nền tảng tích hợp)")
    NATIONAL_DB = "national_db", _("Tra cứu cơ sở dữ liệu quốc gia")


class PersonalDataAccess(models.Model):
    """One processing (read) of one citizen's personal data: who, when, which data, for what purpose.
    ``accessor`` is copied text so the row outlives the account; ``user`` links it while it exists."""

    subject_id_number = models.CharField(_("số định danh chủ thể dữ liệu"), max_length=14, db_index=True)
    at = models.DateTimeField(_("thời điểm"), db_index=True)
    accessor_kind = models.CharField(_("bên xử lý"), max_length=16, choices=AccessorKind.choices)
    accessor = models.CharField(_("người, hệ thống xử lý"), max_length=300)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.CharField(_("dữ liệu"), max_length=300)
    purpose = models.CharField(_("mục đích"), max_length=300)

    class Meta:
        verbose_name = _("lượt xử lý dữ liệu cá nhân")
        verbose_name_plural = _("nhật ký xử lý dữ liệu cá nhân")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["subject_id_number", "-at"], name="pda_subject_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.accessor} {self.data} ({self.purpose})"


class ConsentPurpose(models.Model):
    """A purpose of processing, as data with its legal basis: those with ``needs_consent`` run only while
    the citizen's consent stands (Law 91/2025/QH15 art. 9); the others rest on a legal obligation."""

    code = models.SlugField(max_length=64)
    name = models.CharField(_("mục đích"), max_length=300)
    needs_consent = models.BooleanField(_("cần sự đồng ý"), default=True)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=300)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("mục đích xử lý dữ liệu")
        verbose_name_plural = _("mục đích xử lý dữ liệu")
        ordering = ["code", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["code", "valid_from"], name="consent_purpose_unique")]

    def __str__(self) -> str:
        return self.name

    def in_force_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class Consent(models.Model):
    """A citizen's consent for one purpose: granted at, withdrawn at (None while it stands)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents")
    purpose = models.ForeignKey(ConsentPurpose, on_delete=models.PROTECT, related_name="consents")
    granted_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_standing",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.purpose}"


class LoginPolicy(models.Model):
    """The administrator's switches for citizen login (one row, edited in the admin)."""

    citizen_password_login = models.BooleanField(
        _("công dân được đăng nhập bằng mật khẩu"),
        default=True,
        help_text=_("Tắt: công dân chỉ đăng nhập bằng tài khoản định danh điện tử VNeID."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("chính sách đăng nhập")
        verbose_name_plural = _("chính sách đăng nhập")

    def __str__(self) -> str:
        return str(_("Chính sách đăng nhập"))


class VneidLink(models.Model):
    """An account that logged in with VNeID: the subject the provider gave, its assurance level."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vneid")
    subject = models.CharField(max_length=255, unique=True)
    id_number = models.CharField(max_length=12, db_index=True)
    assurance_level = models.CharField(max_length=16)
    linked_at = models.DateTimeField()
    last_login_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user} ↔ {self.subject}"


class VneidLoginFailure(models.Model):
    """A refused VNeID login (bad signature, audience, nonce, expired token, provider error)."""

    at = models.DateTimeField(db_index=True)
    reason = models.CharField(max_length=32)
    detail = models.TextField(blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.reason}"


class DocumentKind(models.Model):
    """A kind of document in the store, mapped to the catalogue's components by the names they carry:
    a component whose name contains one of ``component_names`` (case-insensitive) is satisfied by a
    document of this kind. Data, so the mapping grows without a release."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(_("loại giấy tờ"), max_length=300)
    component_names = models.JSONField(_("tên thành phần hồ sơ tương ứng"), default=list)

    class Meta:
        verbose_name = _("loại giấy tờ trong kho dữ liệu")
        verbose_name_plural = _("loại giấy tờ trong kho dữ liệu")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DocumentSource(models.TextChoices):
    ISSUED = "issued", _("Kết quả do cơ quan cấp")
    SUBMITTED = "submitted", _("Đã nộp trong hồ sơ")
    NATIONAL_DB = "national_db", _("Cơ sở dữ liệu quốc gia")
    DIGITISED = "digitised", _("Số hóa")


class StoredDocument(models.Model):
    """One document in a citizen's (or business's) data store. A file (signed PDF, scan) or a record
    (``data``: fields fetched from a national database)."""

    owner_id_number = models.CharField(_("số định danh chủ sở hữu"), max_length=14, db_index=True)
    kind = models.ForeignKey(DocumentKind, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("tên giấy tờ"), max_length=500)
    issuer = models.CharField(_("cơ quan cấp"), max_length=300, blank=True)
    issue_date = models.DateField(_("ngày cấp"), null=True, blank=True)
    valid_until = models.DateField(_("có giá trị đến"), null=True, blank=True)
    source = models.CharField(_("nguồn"), max_length=16, choices=DocumentSource.choices)
    # Unique per owner: "issued:<IssuedDocument pk>", "file:<DossierFile pk>", "csdldc:<record id>"…
    source_ref = models.CharField(max_length=128)
    dossier_code = models.CharField(max_length=40, blank=True)
    file = models.FileField(upload_to="store/%Y/", blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # The last signature check (signatures.services.document_verify): verdict and when.
    signature_verdict = models.CharField(max_length=16, blank=True)
    signature_report = models.JSONField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    added_at = models.DateTimeField()

    class Meta:
        verbose_name = _("giấy tờ trong kho dữ liệu")
        verbose_name_plural = _("kho dữ liệu điện tử")
        ordering = ["-issue_date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner_id_number", "source_ref"], name="stored_document_unique")
        ]

    def __str__(self) -> str:
        return self.title


class DataErrorReport(models.Model):
    """A citizen's report that data pre-filled from a national database is wrong."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    field = models.CharField(max_length=64, blank=True)
    message = models.TextField()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} {self.field}"
