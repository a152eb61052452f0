"""Number and symbol from the agency's register: "15/GP-SVHTTDL". Numbers restart on 1 January.

Every number used is a ``DocumentNumber`` row, unique per (agency, year, symbol, value): that constraint
is what guarantees no duplicate, whether the number came from the register's counter or was typed by the
clerical officer (a number taken from a paper register, walk.md step 9).

* the counter (``DocumentRegister.last_value``) is advanced by one atomic upsert that locks its row until
  commit; the number is then claimed in the ledger with ``ON CONFLICT DO NOTHING``, and when someone typed
  that number by hand earlier, the counter moves on to the next one;
* a typed number is claimed in the ledger the same way; when the row exists it is refused (a field error).

A rolled-back transaction gives its number back with it, in both tables."""

from __future__ import annotations

import re

from django.db import connection
from django.utils.translation import gettext as _

from motcua.agencies.models import Agency
from motcua.core.errors import ApplicationError
from motcua.signatures.models import DocumentNumber, DocumentRegister

_TABLE = DocumentRegister._meta.db_table
_UPSERT = (
    f"INSERT INTO {_TABLE} (agency_id, year, symbol, last_value) VALUES (%s, %s, %s, 1) "  # noqa: S608
    f"ON CONFLICT (agency_id, year, symbol) DO UPDATE SET last_value = {_TABLE}.last_value + 1 "
    "RETURNING last_value"
)
_LEDGER = DocumentNumber._meta.db_table
_CLAIM = (
    f"INSERT INTO {_LEDGER} (agency_id, year, symbol, value, typed) VALUES (%s, %s, %s, %s, %s) "  # noqa: S608
    "ON CONFLICT (agency_id, year, symbol, value) DO NOTHING"
)
# "20/GP-SVHTTDL": a number, a slash, a symbol without spaces (Decree 30/2020 art. 8).
_TYPED = re.compile(r"^\s*0*(\d{1,6})\s*/\s*(\S{1,60})\s*$")
_MAX_SKIPS = 10_000


def _claim(*, agency: Agency, year: int, symbol: str, value: int, typed: bool) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM, [agency.pk, year, symbol, value, typed])
        return bool(cursor.rowcount == 1)


def document_number_allocate(*, agency: Agency, year: int, document_type: str) -> str:
    """``document_type`` is the abbreviation of Decree 30/2020 Annex (GP, QĐ, TB, GCN …)."""
    symbol = f"{document_type}-{agency.abbreviation or agency.code}"
    for _attempt in range(_MAX_SKIPS):
        with connection.cursor() as cursor:
            cursor.execute(_UPSERT, [agency.pk, year, symbol])
            row = cursor.fetchone()
        assert row is not None
        value = int(row[0])
        if _claim(agency=agency, year=year, symbol=symbol, value=value, typed=False):
            return f"{value:02d}/{symbol}"
        # Typed by hand earlier: that number is taken, the register moves past it.
    raise ApplicationError(_("Sổ đăng ký văn bản không còn số trống."), {"field": "result_number"})


def document_number_reserve(*, agency: Agency, year: int, number: str) -> str:
    """Reserve a number typed by hand ("20/GP-SVHTTDL") in the agency's register for ``year``; returns it
    in the register's form ("20/GP-SVHTTDL", "05/…"). Refused when malformed or already used."""
    match = _TYPED.match(number)
    if match is None or int(match.group(1)) == 0:
        raise ApplicationError(
            _("Số, ký hiệu văn bản phải có dạng số/ký hiệu, ví dụ 20/GP-SVHTTDL."), {"field": "result_number"}
        )
    value, symbol = int(match.group(1)), match.group(2)
    if not _claim(agency=agency, year=year, symbol=symbol, value=value, typed=True):
        raise ApplicationError(
            _("Số %(number)s đã được sử dụng trong sổ đăng ký văn bản năm %(year)s.")
            % {"number": f"{value:02d}/{symbol}", "year": year},
            {"field": "result_number"},
        )
    return f"{value:02d}/{symbol}"
