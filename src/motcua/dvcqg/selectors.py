"""Reads of the DVCQG sync: the reconciliation of every dossier with what the national portal holds."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from motcua.dossiers.models import Dossier
from motcua.dvcqg.client import DvcqgRejected, DvcqgUnavailable, dvcqg_client
from motcua.dvcqg.mapping import dossier_record

# What reconciliation compares: the status, the dates and the e-result link.
COMPARED = (
    "TrangThaiHoSo",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayKetThucXuLy",
    "NgayTra",
    "DuongDanTepTinKetQua",
)


def dossiers_to_reconcile() -> QuerySet[Dossier]:
    return (
        Dossier.objects.exclude(code=None)
        .select_related("procedure_version__procedure", "procedure_version__field", "competent_agency")
        .order_by("pk")
    )


def reconcile_one(dossier: Dossier) -> dict[str, Any]:
    """One dossier against ``TraCuuHoSo``: ``{"code", "state": matched|different|missing|unreachable,
    "differences": [{"field", "ours", "national"}]}``."""
    ours = dossier_record(dossier)
    try:
        national = dvcqg_client().call("TraCuuHoSo", purpose=f"HS:{dossier.code}", MaHoSo=dossier.code)
    except (DvcqgUnavailable, DvcqgRejected) as exc:
        return {"code": dossier.code, "state": "unreachable", "differences": [], "error": str(exc)}
    if not isinstance(national, dict):
        return {"code": dossier.code, "state": "missing", "differences": []}
    differences = [
        {"field": name, "ours": ours.get(name, ""), "national": national.get(name, "")}
        for name in COMPARED
        if str(ours.get(name) or "") != str(national.get(name) or "")
    ]
    return {
        "code": dossier.code,
        "state": "different" if differences else "matched",
        "differences": differences,
    }


def reconcile(*, codes: list[str] | None = None) -> dict[str, Any]:
    """Every dossier (or those of ``codes``) compared with the portal. ``items`` lists the dossiers that
    do not match (different, missing, or not checked because the portal could not be reached)."""
    queryset = dossiers_to_reconcile()
    if codes:
        queryset = queryset.filter(code__in=codes)
    counts = {"checked": 0, "matched": 0, "different": 0, "missing": 0, "unreachable": 0}
    items = []
    for dossier in queryset.iterator(chunk_size=200):
        outcome = reconcile_one(dossier)
        counts["checked"] += 1
        counts[outcome["state"]] += 1
        if outcome["state"] != "matched":
            items.append(outcome)
    return {**counts, "items": items}
