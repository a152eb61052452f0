"""Dossier codes (Circular 03/2025/TT-VPCP art. 13, in force with Decree 118/2025; the national portal's
data exchange keeps them under Circular 04/2025/TT-VPCP art. 23(2)).

Two formats:

* ``<receiving agency e-ID>-<YYMMDD>-<XXXX>``: the usual one, numbered by the unit that receives;
* ``<settling agency e-ID>-<YYMMDD>-AA<XXXX>`` (art. 13(3)): for services provided centrally, numbered
  by the agency that settles the dossier, with the ``AA`` marker. Which procedures are provided centrally is
  data: the national procedure codes in the ``MOTCUA_DOSSIER_CODE_CENTRAL_PROCEDURES`` setting.

``YYMMDD`` is the **receipt** date: at the counter the day the clerk receives; for an online or postal
submission the day of *effective* receipt on the receiving agency's calendar (a submission on Friday
evening after office hours is received on Monday and its code carries Monday's date). ``XXXX`` has at
least four digits.

The sequence is per numbering agency per receipt day. It is taken with one atomic upsert, so two clerks
receiving at the same instant never get the same number, on PostgreSQL (row lock on conflict) and on
SQLite (writes are serialised) alike.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from motcua.agencies.models import Agency
from motcua.calendar.selectors import work_calendar_for
from motcua.catalog.models import Channel
from motcua.core import clock
from motcua.core.statements import InsertChain, Sql
from motcua.dossiers.models import Dossier, DossierCodeSequence

CENTRAL_MARKER = "AA"


@dataclass(frozen=True)
class CodeParts:  # the arguments of dossier_code_assign / dossier_code_in_statement / dossier_code_allocate
    """What a dossier's code is made of, before the number is taken."""

    agency: Agency  # whose e-ID leads the code and whose counter numbers it
    day: dt.date  # the receipt date
    marker: str = ""  # "AA" for a centrally provided service (art. 13(3))


def dossier_code_parts(dossier: Dossier) -> CodeParts:
    """The numbering agency, receipt date and marker of ``dossier``'s code (it is being submitted now)."""
    central = settings.MOTCUA_DOSSIER_CODE_CENTRAL_PROCEDURES
    if central and dossier.procedure_version.procedure.national_code in central:
        agency, marker = dossier.competent_agency, CENTRAL_MARKER
    else:
        agency, marker = dossier.receiving_agency, ""
    return CodeParts(agency=agency, day=receipt_day(dossier), marker=marker)


def receipt_day(dossier: Dossier) -> dt.date:
    """The date part of the code: the day the dossier is (effectively) received."""
    submitted_at = dossier.submitted_at or clock.now()
    if dossier.channel == Channel.COUNTER:
        return submitted_at.astimezone(clock.VIETNAM_TZ).date()
    return work_calendar_for(agency=dossier.receiving_agency).effective_receipt(submitted_at).date()


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


def format_dossier_code(*, agency_code: str, day: dt.date, sequence: int, marker: str = "") -> str:
    return f"{agency_code}-{day:%y%m%d}-{marker}{sequence:04d}"


def dossier_code_allocate(*, agency: Agency, day: dt.date, marker: str = "") -> str:
    """Allocate the next code; call inside the transaction that saves the dossier."""
    return format_dossier_code(
        agency_code=agency.code, day=day, sequence=next_sequence(agency=agency, day=day), marker=marker
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


def code_prefix(*, agency: Agency, day: dt.date, marker: str = "") -> str:
    return f"{agency.code}-{day:%y%m%d}-{marker}"


def dossier_code_in_statement(chain: InsertChain, *, agency: Agency, day: dt.date, marker: str = "") -> Sql:
    """PostgreSQL: add the taking of the next number to a one-statement write (``core.statements``) and
    return the SQL of the new code, to be used as the dossier's ``code`` value in that statement."""
    chain.with_query("seq", _UPSERT, [agency.pk, day])
    code = f"(SELECT {_CODE_FROM_SEQ} FROM seq)"  # noqa: S608 — constant SQL, the prefix is a parameter
    return Sql(code, (code_prefix(agency=agency, day=day, marker=marker),))


def dossier_code_assign(*, dossier_id: int, agency: Agency, day: dt.date, marker: str = "") -> str:
    """Allocate the next code and store it on the dossier; call inside the transaction that saves it."""
    if connection.vendor == "postgresql":
        prefix = code_prefix(agency=agency, day=day, marker=marker)
        with connection.cursor() as cursor:
            cursor.execute(_ASSIGN_PG, [agency.pk, day, prefix, dossier_id])
            row = cursor.fetchone()
        assert row is not None
        return str(row[0])
    code = dossier_code_allocate(agency=agency, day=day, marker=marker)
    Dossier.objects.filter(pk=dossier_id).update(code=code)
    return code


# The look-up secret printed on the receipt (form 01) and shown on the applicant's dossier page: the
# second factor of the public status look-up. No 0/O, 1/I/L or 5/S: read aloud or typed from paper without
# mistakes; 8 characters of 29 give 29^8 ≈ 5·10^11 values (the last 4 digits of a phone number gave 10^4).
LOOKUP_ALPHABET = "2346789ABCDEFGHJKMNPQRTUVWXYZ"
LOOKUP_SECRET_LENGTH = 8


def lookup_secret_new() -> str:
    return "".join(secrets.choice(LOOKUP_ALPHABET) for _ in range(LOOKUP_SECRET_LENGTH))


def lookup_secret_normalise(text: str) -> str:
    """What the applicant typed, as stored: upper case, without spaces or dashes (printed as ABCD-EFGH)."""
    return "".join(ch for ch in text.upper() if ch.isalnum())
