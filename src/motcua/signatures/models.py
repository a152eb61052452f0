"""Document registers: number and symbol of issued documents, restarting at 1 each year (Decree 30/2020)."""

from __future__ import annotations

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

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=32)
    number = models.CharField(max_length=64, blank=True)
    file = models.FileField(upload_to="documents/%Y/")
    sha256 = models.CharField(max_length=64, db_index=True)
    signed_by = models.JSONField(default=list)
    issued_at = models.DateTimeField()

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.number}"
