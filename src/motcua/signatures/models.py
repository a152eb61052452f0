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
