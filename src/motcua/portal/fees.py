"""The fee block of a procedure page: what to say when nothing is charged, without saying it twice.

The catalogue often names a zero fee "Không thu phí" (no fee charged); printed as "name: amount" that
read "Không thu phí: Không mất phí", and "Không thu phí: Free of charge" in English. A name that only
restates that the procedure is free gives way to the fee's kind, and a procedure that charges nothing is
summed up once, in the interface language."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from motcua.catalog.models import Fee
from motcua.core.text import fold_vietnamese
from motcua.portal.presentation import FeeRow, fee_rows

# Folded names that say no more than "free" (seen in provincial catalogues).
_FREE_WORDINGS = ("khong thu phi", "khong thu le phi", "khong thu", "khong mat phi", "mien phi", "khong")


@dataclass(frozen=True)
class FeeSummary:
    rows: list[FeeRow]
    charged: bool  # at least one amount above zero
    detailed: bool  # worth a table: something is charged, or exemptions, descriptions, bases to show


def fee_summary(fees: list[Fee]) -> FeeSummary:
    rows = [dataclasses.replace(row, name=row.kind) if _restates_free(row) else row for row in fee_rows(fees)]
    charged = any(not row.free for row in rows)
    detailed = charged or any(row.exemptions or row.description or row.legal_basis for row in rows)
    return FeeSummary(rows=rows, charged=charged, detailed=detailed)


def _restates_free(row: FeeRow) -> bool:
    return row.free and fold_vietnamese(row.name).strip(" .:;") in _FREE_WORDINGS
