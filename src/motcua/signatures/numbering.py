"""Number and symbol from the agency's register: "15/GP-SVHTTDL". Numbers restart on 1 January and are taken
by one atomic upsert, so concurrent issuing never yields a gap or a duplicate (a rolled-back transaction
gives its number back with it)."""

from __future__ import annotations

from django.db import connection

from motcua.agencies.models import Agency
from motcua.signatures.models import DocumentRegister

_TABLE = DocumentRegister._meta.db_table
_UPSERT = (
    f"INSERT INTO {_TABLE} (agency_id, year, symbol, last_value) VALUES (%s, %s, %s, 1) "  # noqa: S608
    f"ON CONFLICT (agency_id, year, symbol) DO UPDATE SET last_value = {_TABLE}.last_value + 1 "
    "RETURNING last_value"
)


def document_number_allocate(*, agency: Agency, year: int, document_type: str) -> str:
    """``document_type`` is the abbreviation of Decree 30/2020 Annex (GP, QĐ, TB, GCN …)."""
    symbol = f"{document_type}-{agency.abbreviation or agency.code}"
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [agency.pk, year, symbol])
        row = cursor.fetchone()
    assert row is not None
    return f"{int(row[0]):02d}/{symbol}"
