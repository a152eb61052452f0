"""Dossier codes ``<receiving agency e-ID>-<yyMMdd>-<NNNN>`` (Decree 61/2018 art. 26, kept by
Decree 118/2025).

The sequence is per receiving unit per (Vietnam) day. It is taken with one atomic upsert, so two clerks
receiving at the same instant never get the same number, on PostgreSQL (row lock on conflict) and on
SQLite (writes are serialised) alike.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from motcua.agencies.models import Agency
from motcua.core.statements import InsertChain, Sql
from motcua.dossiers.models import Dossier, DossierCodeSequence

_TABLE = DossierCodeSequence._meta.db_table
_UPSERT = (
    f"INSERT INTO {_TABLE} (agency_id, day, last_value) VALUES (%s, %s, 1) "  # noqa: S608 — table name is ours
    f"ON CONFLICT (agency_id, day) DO UPDATE SET last_value = {_TABLE}.last_value + 1 "
    "RETURNING last_value"
)


def next_sequence(*, agency: Agency, day: dt.date) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [agency.pk, day])
        row = cursor.fetchone()
    assert row is not None  # RETURNING always yields the row
    return int(row[0])


def format_dossier_code(*, agency_code: str, day: dt.date, sequence: int) -> str:
    return f"{agency_code}-{day:%y%m%d}-{sequence:04d}"


def dossier_code_allocate(*, agency: Agency, day: dt.date) -> str:
    """Allocate the next code; call inside the transaction that saves the dossier."""
    return format_dossier_code(
        agency_code=agency.code, day=day, sequence=next_sequence(agency=agency, day=day)
    )


# PostgreSQL: take the number and write the code in one round trip (the counter row stays locked until
# commit, so every statement saved here shortens the queue of concurrent submissions to one agency).
# The code from the prefix parameter and the number the upsert returned (at least four digits, as
# format_dossier_code writes it).
_CODE_FROM_SEQ = "%s || lpad(seq.last_value::text, greatest(4, length(seq.last_value::text)), '0')"
_ASSIGN_PG = (
    f"WITH seq AS ({_UPSERT}) "  # noqa: S608 — table names are ours
    f"UPDATE {Dossier._meta.db_table} SET code = {_CODE_FROM_SEQ} FROM seq WHERE id = %s RETURNING code"
)


def code_prefix(*, agency: Agency, day: dt.date) -> str:
    return f"{agency.code}-{day:%y%m%d}-"


def dossier_code_in_statement(chain: InsertChain, *, agency: Agency, day: dt.date) -> Sql:
    """PostgreSQL: add the taking of the next number to a one-statement write (``core.statements``) and
    return the SQL of the new code, to be used as the dossier's ``code`` value in that statement."""
    chain.with_query("seq", _UPSERT, [agency.pk, day])
    code = f"(SELECT {_CODE_FROM_SEQ} FROM seq)"  # noqa: S608 — constant SQL, the prefix is a parameter
    return Sql(code, (code_prefix(agency=agency, day=day),))


def dossier_code_assign(*, dossier_id: int, agency: Agency, day: dt.date) -> str:
    """Allocate the next code and store it on the dossier; call inside the transaction that saves it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_ASSIGN_PG, [agency.pk, day, code_prefix(agency=agency, day=day), dossier_id])
            row = cursor.fetchone()
        assert row is not None
        return str(row[0])
    code = dossier_code_allocate(agency=agency, day=day)
    Dossier.objects.filter(pk=dossier_id).update(code=code)
    return code
