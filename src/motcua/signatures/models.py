"""Document registers: number and symbol of issued documents, restarting at 1 each year (Decree 30/2020)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class DocumentRegister(models.Model):
    """The last number used by an agency in a year for one symbol (e.g. ``GP-SVHTTDL``)."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    symbol = models.CharField(max_length=64)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "symbol"], name="document_register_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year} {self.symbol}: {self.last_value}"


class IssuedDocument(models.Model):
    """A document the system issued (result, receipt …): the file and its digest, so a verifier can tell
    whether an uploaded copy is the original we issued."""

    # The QR code opens /xac-minh/<public_id>/: a random id, so documents cannot be enumerated.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=32)
    number = models.CharField(max_length=64, blank=True)
    file = models.FileField(upload_to="documents/%Y/")
    sha256 = models.CharField(max_length=64, db_index=True)
    signed_by = models.JSONField(default=list)
    issued_at = models.DateTimeField()
    # PAdES level reached: B-LT when issued, B-LTA once the archive job added a document time-stamp.
    pades_level = models.CharField(max_length=8, default="B-LT")
    # When the newest time-stamp's certificate stops being valid: the archive job re-stamps before then.
    timestamp_valid_until = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.number}"

    def verification_url(self) -> str:
        return f"{settings.SITE_URL}/xac-minh/{self.public_id}/"


class TrustedCertificate(models.Model):
    """A trust anchor (root) or an intermediate CA that verification accepts, managed by administrators:
    the Government CA (Ban Cơ yếu Chính phủ), licensed public CAs, and in the demo the provincial root."""

    class Kind(models.TextChoices):
        ROOT = "root", "Chứng thư gốc / Root"
        INTERMEDIATE = "intermediate", "Chứng thư trung gian / Intermediate"

    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ROOT)
    certificate_pem = models.TextField()
    fingerprint_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    subject = models.CharField(max_length=500, editable=False)
    not_before = models.DateTimeField(editable=False)
    not_after = models.DateTimeField(editable=False)
    source = models.CharField(max_length=255, blank=True, help_text="Nguồn / legal basis or publisher")
    enabled = models.BooleanField(default=True)
    # Revocation data: fetched only where MOTCUA_REVOCATION_FETCHING is on (off in tests and offline).
    crl_urls = models.JSONField(default=list, blank=True)
    ocsp_url = models.URLField(blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class RevocationList(models.Model):
    """The newest CRL fetched (or imported) for an issuer, kept so verification works offline."""

    issuer = models.ForeignKey(TrustedCertificate, on_delete=models.CASCADE, related_name="crls")
    source_url = models.CharField(max_length=500, blank=True)
    crl_der = models.BinaryField()
    this_update = models.DateTimeField()
    next_update = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField()

    class Meta:
        ordering = ["-this_update"]

    def __str__(self) -> str:
        return f"CRL {self.issuer_id} {self.this_update:%Y-%m-%d}"


class DocumentNumber(models.Model):
    """Every number a register gave out or reserved for a number typed by hand: one row per number, so
    the same number can never be used twice (the unique constraint is the guarantee; see numbering.py)."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    symbol = models.CharField(max_length=64)
    value = models.PositiveIntegerField()
    typed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "symbol", "value"], name="document_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value:02d}/{self.symbol} ({self.year})"


class ResultDraft(models.Model):
    """The variable content of a dossier's result (licence scope, decision articles …) drafted by the
    specialist during appraisal; the leader approves it and the issued result prints it."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="result_draft")
    template = models.CharField(max_length=32)
    values = models.JSONField(default=dict)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"draft {self.dossier_id}"


class SigningRequest(models.Model):
    """A leader's authorisation of their personal signature on one dossier's result (security review F1).

    Written when the leader re-authenticates to approve (the desk, the API or the batch page: one row per
    dossier of a batch, sharing ``batch``); consumed at issue, when the result is signed with the leader's
    key: ``status`` becomes ``signed`` and ``signed_at`` is the moment of consumption. The result is never
    signed with the leader's key without a pending row of theirs (``results.result_document_issue``)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Chờ ký / Waiting"
        SIGNED = "signed", "Đã ký / Signed"
        FAILED = "failed", "Lỗi / Failed"

    class Method(models.TextChoices):
        PASSWORD = "password", "Mật khẩu"
        PASSWORD_TOTP = "password+totp", "Mật khẩu và mã OTP"
        CSC_SAD = "csc_sad", "Ủy quyền ký từ xa (CSC SAD)"

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="signing_requests")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # How the leader authenticated; empty only on rows written before authorisations were required.
    method = models.CharField(max_length=16, choices=Method.choices, blank=True)
    # The rows authorised together on the batch page share this id.
    batch = models.UUIDField(null=True, blank=True)
    pdf = models.FileField(upload_to="signing/%Y/%m/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "signer"],
                condition=models.Q(status="pending"),
                name="one_pending_signing_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} → {self.signer_id} ({self.status})"
