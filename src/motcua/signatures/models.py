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


class SigningRequest(models.Model):
    """A result waiting for a leader's signature: the batch-signing queue."""

    class Status(models.TextChoices):
        PENDING = "pending", "Chờ ký / Waiting"
        SIGNED = "signed", "Đã ký / Signed"
        FAILED = "failed", "Lỗi / Failed"

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="signing_requests")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
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
