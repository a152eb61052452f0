"""Search text for procedure versions: folded (no diacritics), so queries with or without marks match."""

from __future__ import annotations

from motcua.catalog.models import ProcedureVersion
from motcua.core.text import fold_vietnamese


def version_search_text(version: ProcedureVersion) -> str:
    parts = [
        version.name,
        version.name_en,
        version.procedure.local_code,
        version.procedure.national_code,
        version.field.name,
        version.result_name,
        version.competent_agency.name,
    ]
    return fold_vietnamese(" ".join(p for p in parts if p))
