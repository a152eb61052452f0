"""The catalogue compared with, and updated from, the national procedure database (``LayThuTuc``).

Our catalogue format mirrors the national record (catalog/exchange.py), so the comparison is field by
field on the parts the national database owns: name, fields, channels with time limits and fees, the
sequence, components, results, legal bases, requirements and subjects. Our own parts (internal process,
receiving agencies, the local extension flags) stay ours.

Applying a difference never edits a version dossiers are pinned to: it publishes a NEW version (number
+1, in force from tomorrow or the given date) through the importer, and closes the current one the day
before."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.db import transaction

from motcua.catalog.exchange import FORMAT, catalogue_export, catalogue_import
from motcua.catalog.models import Procedure, ProcedureVersion, VersionStatus
from motcua.core import clock
from motcua.core.errors import ApplicationError
from motcua.dvcqg.client import DvcqgRejected, DvcqgUnavailable, dvcqg_client

# The national parts of a record and, for lists of objects, the keys compared in each item.
NATIONAL_PARTS: dict[str, tuple[str, ...]] = {
    "TENTTHC": (),
    "LINHVUCTHUCHIEN": ("MALINHVUC", "TENLINHVUC"),
    "TRINHTUTHUCHIEN": (),
    "THANHPHANHOSO": ("TENGIAYTO", "SOBANCHINH", "SOBANSAO", "BATBUOC"),
    "KETQUATHUCHIEN": ("MAKETQUA", "TENKETQUA"),
    "CANCUPHAPLY": ("SOVANBAN", "TENVANBAN"),
    "YEUCAU": (),
    "MOTADOITUONGTHUCHIEN": (),
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _amount(value: Any) -> str:
    try:
        number = float(str(value or 0))
    except ValueError:
        return _text(value)
    return str(int(number)) if number.is_integer() else str(number)


def _ways(record: dict[str, Any]) -> list[tuple[str, str, str, tuple[tuple[str, str], ...]]]:
    ways = []
    for way in record.get("CACHTHUCTHUCHIEN") or []:
        times = way.get("THOIGIAN") or [{}]
        first = times[0]
        fees = tuple(
            sorted((_text(f.get("MOTA")), _amount(f.get("SOTIEN"))) for f in first.get("PHILEPHI") or [])
        )
        ways.append(
            (
                _text(way.get("KENH")),
                _amount(first.get("THOIGIANGIAIQUYET")),
                _text(first.get("DONVITINH")),
                fees,
            )
        )
    return sorted(ways)


def _part(record: dict[str, Any], name: str) -> Any:
    keys = NATIONAL_PARTS[name]
    value = record.get(name)
    if not keys:
        return _text(value)
    return [tuple(_text(item.get(k)) for k in keys) for item in value or [] if isinstance(item, dict)]


def record_differences(ours: dict[str, Any], national: dict[str, Any]) -> list[dict[str, Any]]:
    """The national parts that differ: ``[{"field", "ours", "national"}]``."""
    differences = []
    for name in NATIONAL_PARTS:
        if _part(ours, name) != _part(national, name):
            differences.append({"field": name, "ours": _part(ours, name), "national": _part(national, name)})
    if _ways(ours) != _ways(national):
        differences.append({"field": "CACHTHUCTHUCHIEN", "ours": _ways(ours), "national": _ways(national)})
    return differences


def _current_versions() -> list[ProcedureVersion]:
    today = clock.local_today()
    versions = []
    for procedure in Procedure.objects.exclude(national_code="").order_by("local_code"):
        version = (
            procedure.versions.filter(status=VersionStatus.PUBLISHED, effective_from__lte=today)
            .exclude(effective_to__lt=today)
            .order_by("-number")
            .first()
        )
        if version is not None:
            versions.append(version)
    return versions


def catalogue_diff() -> dict[str, Any]:
    """Every procedure in force with a national code, compared with ``LayThuTuc``:
    ``{"checked", "same", "different", "missing", "unreachable", "items": [{"code", "national_code",
    "state", "differences"}]}`` (items only for procedures that are not the same)."""
    client = dvcqg_client()
    counts = {"checked": 0, "same": 0, "different": 0, "missing": 0, "unreachable": 0}
    items: list[dict[str, Any]] = []
    for version in _current_versions():
        ours = catalogue_export(versions=[version])["THUTUC"][0]
        code = version.procedure.national_code
        counts["checked"] += 1
        try:
            national = client.call("LayThuTuc", MaTTHC=code)
        except DvcqgRejected:
            counts["missing"] += 1
            items.append({"code": version.procedure.local_code, "national_code": code, "state": "missing"})
            continue
        except DvcqgUnavailable as exc:
            counts["unreachable"] += 1
            items.append(
                {
                    "code": version.procedure.local_code,
                    "national_code": code,
                    "state": "unreachable",
                    "error": str(exc),
                }
            )
            continue
        differences = record_differences(ours, national or {})
        if not differences:
            counts["same"] += 1
            continue
        counts["different"] += 1
        items.append(
            {
                "code": version.procedure.local_code,
                "national_code": code,
                "version": version.number,
                "state": "different",
                "differences": differences,
                "_national": national,
            }
        )
    return {**counts, "items": items}


def _merged(
    ours: dict[str, Any], national: dict[str, Any], *, number: int, effective_from: dt.date
) -> dict[str, Any]:
    record = copy.deepcopy(ours)
    local_components = {c.get("MAGIAYTO"): c for c in ours.get("THANHPHANHOSO") or []}
    for name in (*NATIONAL_PARTS, "CACHTHUCTHUCHIEN"):
        if name in national:
            record[name] = copy.deepcopy(national[name])
    for component in record.get("THANHPHANHOSO") or []:
        # Our local extension (identity documents are encrypted at rest) survives the national update.
        local = local_components.get(component.get("MAGIAYTO"))
        if local is not None and "GIAYTOTUYTHAN" in local:
            component["GIAYTOTUYTHAN"] = local["GIAYTOTUYTHAN"]
    record["PHIENBAN"] = {
        "SO": number,
        "TRANGTHAI": VersionStatus.PUBLISHED,
        "HIEULUCTU": effective_from.isoformat(),
        "HIEULUCDEN": None,
        "QUYETDINHCONGBO": "Cập nhật từ CSDL quốc gia về TTHC (LayThuTuc) ngày "
        f"{clock.local_today():%d/%m/%Y}",
    }
    return record


def catalogue_apply(*, diff: dict[str, Any], effective_from: dt.date | None = None) -> list[dict[str, Any]]:
    """A new published version for each procedure that differs, in force from ``effective_from``
    (tomorrow by default); the current version ends the day before. Each procedure in its own
    transaction: one the importer refuses (a national time limit the internal process no longer fits)
    is reported and the others go on. Returns ``[{"code", "version", "outcome", "error"?}]``."""
    start = effective_from or clock.local_today() + dt.timedelta(days=1)
    outcomes = []
    for item in diff["items"]:
        if item.get("state") != "different":
            continue
        code = item["code"]
        try:
            with transaction.atomic():
                current = (
                    ProcedureVersion.objects.select_for_update()
                    .filter(procedure__local_code=code, number=item["version"])
                    .get()
                )
                if current.effective_from >= start:
                    raise ApplicationError(f"Phiên bản hiện hành bắt đầu từ {current.effective_from}")
                number = (
                    ProcedureVersion.objects.filter(procedure=current.procedure)
                    .order_by("-number")
                    .first()
                    .number  # type: ignore[union-attr]
                    + 1
                )
                ours = catalogue_export(versions=[current])["THUTUC"][0]
                national = {k: v for k, v in item["_national"].items() if k != "MATTHC"}
                record = _merged(ours, national, number=number, effective_from=start)
                ProcedureVersion.objects.filter(pk=current.pk).update(
                    effective_to=start - dt.timedelta(days=1)
                )
                catalogue_import(data={"DINHDANG": FORMAT, "THUTUC": [record]})
        except ApplicationError as exc:
            errors = exc.extra.get("errors", [])
            detail = "; ".join(f"{e.get('field')}: {e.get('message')}" for e in errors) or exc.message
            outcomes.append({"code": code, "version": None, "outcome": "refused", "error": detail})
            continue
        outcomes.append({"code": code, "version": number, "outcome": "created"})
    return outcomes


def diff_public(diff: dict[str, Any]) -> dict[str, Any]:
    """The comparison without the national records it carries for ``catalogue_apply``."""
    return {**diff, "items": [{k: v for k, v in i.items() if k != "_national"} for i in diff["items"]]}
