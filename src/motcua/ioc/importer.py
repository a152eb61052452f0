"""Dossiers in from the national portal's shape (``DongBoHoSoMC``, one JSON object a line): the history of a
province's old system, or what the national portal holds. All or nothing per file — every line is checked
first and one bad line (with its number and the reason) stops the whole file — and idempotent by
``MaHoSo``: a record seen before with the same content is skipped, a changed one updates its dossier."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from motcua.agencies.models import Agency
from motcua.catalog.models import ProcedureVersion
from motcua.core import clock
from motcua.core.errors import ValidationFailedError
from motcua.dossiers.events import dossier_event_build
from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent, DossierFee
from motcua.dossiers.workflow import Actor, TimelineAction
from motcua.ioc.dvcqg import DossierRecord, record_parse
from motcua.ioc.facts import facts_refresh_many, months_changed
from motcua.ioc.models import NationalRecord


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def _fingerprint(data: object) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class _Lookups:
    """Agencies by e-ID code and procedure versions by national code, read once per file."""

    def __init__(self) -> None:
        self.agencies: dict[str, Agency] = {}
        self.versions: dict[str, list[ProcedureVersion]] = {}

    def agency(self, code: str) -> Agency | None:
        if code not in self.agencies:
            found = Agency.objects.filter(code=code).first()
            if found is None:
                return None
            self.agencies[code] = found
        return self.agencies[code]

    def version(self, record: DossierRecord) -> ProcedureVersion | None:
        code = record.MaTTHC
        if code not in self.versions:
            self.versions[code] = list(
                ProcedureVersion.objects.filter(
                    Q(procedure__national_code=code) | Q(procedure__local_code=code)
                )
                .select_related("procedure")
                .order_by("-effective_from")
            )
        candidates = self.versions[code]
        day = (record.NgayTiepNhan or clock.now()).date()
        for version in candidates:
            if version.effective_from <= day and (
                version.effective_to is None or version.effective_to >= day
            ):
                return version
        return candidates[0] if candidates else None


def dossiers_import(lines: Iterable[str], *, source: str = "dvcqg") -> ImportReport:
    """Import every record of ``lines`` or none (``ValidationFailedError`` listing each bad line)."""
    lookups = _Lookups()
    parsed: list[tuple[int, DossierRecord, dict[str, object], Agency, ProcedureVersion]] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            record = record_parse(data)
        except ValueError as error:
            errors.append(_("Dòng %(n)d: %(error)s") % {"n": number, "error": error})
            continue
        agency = lookups.agency(record.DonViXuLy)
        version = lookups.version(record)
        if agency is None:
            errors.append(
                _("Dòng %(n)d: không có cơ quan mã %(code)s") % {"n": number, "code": record.DonViXuLy}
            )
        if version is None:
            errors.append(
                _("Dòng %(n)d: không có thủ tục mã %(code)s") % {"n": number, "code": record.MaTTHC}
            )
        if record.MaHoSo in seen:
            errors.append(
                _("Dòng %(n)d: mã hồ sơ %(code)s trùng với dòng %(first)d")
                % {"n": number, "code": record.MaHoSo, "first": seen[record.MaHoSo]}
            )
        seen.setdefault(record.MaHoSo, number)
        if agency is not None and version is not None:
            parsed.append((number, record, data, agency, version))
    if errors:
        raise ValidationFailedError(
            _("Tệp không được nhập: %(n)d dòng có lỗi.") % {"n": len(errors)}, {"errors": errors}
        )
    report = ImportReport()
    earliest: list[dt.datetime] = []
    codes = [record.MaHoSo for _n, record, *_rest in parsed]
    with transaction.atomic():
        existing: dict[str, NationalRecord] = {}
        ours: set[str] = set()
        for chunk in _chunks(codes):
            for national in NationalRecord.objects.filter(dossier__code__in=chunk).select_related("dossier"):
                existing[national.dossier.code or ""] = national
            ours.update(
                code or ""
                for code in Dossier.objects.filter(code__in=chunk)
                .exclude(national_record__isnull=False)
                .values_list("code", flat=True)
            )
        fresh: list[tuple[DossierRecord, dict[str, object], str, Agency, ProcedureVersion]] = []
        changed: list[
            tuple[DossierRecord, dict[str, object], str, Agency, ProcedureVersion, NationalRecord]
        ] = []
        for number, record, data, agency, version in parsed:
            fingerprint = _fingerprint(data)
            seen_before = existing.get(record.MaHoSo)
            if seen_before is not None and seen_before.fingerprint == fingerprint:
                report.unchanged += 1
                continue
            if seen_before is None and record.MaHoSo in ours:
                raise ValidationFailedError(
                    _("Dòng %(n)d: hồ sơ %(code)s đã có trong hệ thống, không phải hồ sơ nhập từ Cổng DVCQG.")
                    % {"n": number, "code": record.MaHoSo},
                    {"errors": [f"line {number}"]},
                )
            if seen_before is not None and seen_before.dossier.received_at is not None:
                earliest.append(seen_before.dossier.received_at)
            if record.NgayTiepNhan is not None:
                earliest.append(record.NgayTiepNhan)
            if seen_before is None:
                fresh.append((record, data, fingerprint, agency, version))
            else:
                changed.append((record, data, fingerprint, agency, version, seen_before))
        for start in range(0, len(fresh), BATCH):
            _import_new(fresh[start : start + BATCH], source)
        for start in range(0, len(changed), BATCH):
            _import_changed(changed[start : start + BATCH], source)
        report.created = len(fresh)
        report.updated = len(changed)
        months_changed(*earliest[:1], min(earliest) if earliest else None)
    return report


# Records written per round of multi-row statements: one INSERT per table for each round instead of ~20
# statements a record (11 dossiers/s before, docs/benchmarks.md).
BATCH = 500


def _chunks(items: list[str], size: int = BATCH) -> list[list[str]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def _dossier_values(record: DossierRecord, agency: Agency, version: ProcedureVersion) -> dict[str, object]:
    return {
        "procedure_version": version,
        "status": record.status,
        "channel": record.channel,
        "applicant_kind": "business" if record.LoaiDoiTuong == 2 else "citizen",
        "applicant_name": record.ChuHoSo[:255],
        "applicant_id_number": record.MaDoiTuong[:14],
        "summary": record.TrichYeuHoSo,
        "receiving_agency": agency,
        "competent_agency": agency,
        "submitted_at": record.NgayTiepNhan,
        "received_at": record.NgayTiepNhan,
        "appointment_at": record.NgayHenTra,
        "original_appointment_at": record.NgayHenTra,
        "processing_finished_at": record.NgayKetThucXuLy,
        "returned_at": record.NgayTra,
        "supplement_requests": len(record.supplements),
        "result_number": record.MaKetQua[:64],
    }


def _children(
    items: list[tuple[Dossier, DossierRecord, dict[str, object], str, str]],
    source: str,
) -> None:
    """Components, fees and the timeline event of freshly written dossiers, one INSERT per table;
    then their fact rows and the daily counters."""
    DossierComponent.objects.bulk_create(
        [
            DossierComponent(
                dossier=dossier,
                name=(doc.TenTepDinhKem or doc.MaThanhPhanHoSo or "—")[:1000],
                received=True,
                reused=doc.DuocSoHoa == 1,
            )
            for dossier, record, *_rest in items
            for doc in record.documents
        ]
    )
    DossierFee.objects.bulk_create(
        [
            DossierFee(dossier=dossier, name=fee.TenPhiLePhi[:500] or "—", amount=Decimal(str(fee.Gia)))
            for dossier, record, *_rest in items
            for fee in record.DanhSachLePhi
        ]
    )
    DossierEvent.objects.bulk_create(
        [
            dossier_event_build(
                dossier=dossier,
                action=TimelineAction.IMPORT,
                actor=None,
                actor_role=Actor.SYSTEM,
                actor_agency=None,
                from_status=from_status,
                to_status=dossier.status,
                reason=_("Nhập từ %(source)s") % {"source": source},
                data={"source": source, "fingerprint": fingerprint},
            )
            for dossier, _record, _data, fingerprint, from_status in items
        ]
    )
    facts_refresh_many([(dossier, record) for dossier, record, *_rest in items])


def _import_new(
    batch: list[tuple[DossierRecord, dict[str, object], str, Agency, ProcedureVersion]], source: str
) -> None:
    now = clock.now()
    dossiers = Dossier.objects.bulk_create(
        [
            Dossier(code=record.MaHoSo, **_dossier_values(record, agency, version))
            for record, _d, _f, agency, version in batch
        ]
    )
    NationalRecord.objects.bulk_create(
        [
            NationalRecord(
                dossier=dossier, source=source, record=data, fingerprint=fingerprint, imported_at=now
            )
            for dossier, (_record, data, fingerprint, _a, _v) in zip(dossiers, batch, strict=True)
        ]
    )
    _children(
        [
            (dossier, record, data, fingerprint, "")
            for dossier, (record, data, fingerprint, _a, _v) in zip(dossiers, batch, strict=True)
        ],
        source,
    )


def _import_changed(
    batch: list[tuple[DossierRecord, dict[str, object], str, Agency, ProcedureVersion, NationalRecord]],
    source: str,
) -> None:
    """Records seen before with other content: their dossiers take the new values, their components and
    fees are replaced."""
    now = clock.now()
    dossiers: list[Dossier] = []
    items = []
    names: list[str] = []
    for record, data, fingerprint, agency, version, national in batch:
        dossier = national.dossier
        from_status = dossier.status
        values = _dossier_values(record, agency, version)
        names = list(values)
        for name, value in values.items():
            setattr(dossier, name, value)
        dossier.updated_at = now
        national.record = data
        national.fingerprint = fingerprint
        national.imported_at = now
        dossiers.append(dossier)
        items.append((dossier, record, data, fingerprint, from_status))
    Dossier.objects.bulk_update(dossiers, [*names, "updated_at"])
    ids = [dossier.pk for dossier in dossiers]
    DossierComponent.objects.filter(dossier_id__in=ids).delete()
    DossierFee.objects.filter(dossier_id__in=ids).delete()
    NationalRecord.objects.bulk_update([n for *_rest, n in batch], ["record", "fingerprint", "imported_at"])
    _children(items, source)
