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
from motcua.ioc.facts import fact_refresh, months_changed
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
    with transaction.atomic():
        existing = {
            national.dossier.code: national
            for national in NationalRecord.objects.filter(
                dossier__code__in=[record.MaHoSo for _n, record, *_rest in parsed]
            ).select_related("dossier")
        }
        for number, record, data, agency, version in parsed:
            fingerprint = _fingerprint(data)
            national = existing.get(record.MaHoSo)
            if national is not None and national.fingerprint == fingerprint:
                report.unchanged += 1
                continue
            if national is None and Dossier.objects.filter(code=record.MaHoSo).exists():
                raise ValidationFailedError(
                    _("Dòng %(n)d: hồ sơ %(code)s đã có trong hệ thống, không phải hồ sơ nhập từ Cổng DVCQG.")
                    % {"n": number, "code": record.MaHoSo},
                    {"errors": [f"line {number}"]},
                )
            if national is not None and national.dossier.received_at is not None:
                earliest.append(national.dossier.received_at)
            _import_one(record, data, fingerprint, agency, version, national, source)
            if record.NgayTiepNhan is not None:
                earliest.append(record.NgayTiepNhan)
            if national is None:
                report.created += 1
            else:
                report.updated += 1
        months_changed(*earliest[:1], min(earliest) if earliest else None)
    return report


def _import_one(
    record: DossierRecord,
    data: dict[str, object],
    fingerprint: str,
    agency: Agency,
    version: ProcedureVersion,
    national: NationalRecord | None,
    source: str,
) -> None:
    values = {
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
    now = clock.now()
    if national is None:
        dossier = Dossier.objects.create(code=record.MaHoSo, **values)
        national = NationalRecord(dossier=dossier, source=source)
        from_status = ""
    else:
        dossier = national.dossier
        from_status = dossier.status
        for name, value in values.items():
            setattr(dossier, name, value)
        dossier.save()
        dossier.components.all().delete()
        dossier.fees.all().delete()
    DossierComponent.objects.bulk_create(
        DossierComponent(
            dossier=dossier,
            name=(doc.TenTepDinhKem or doc.MaThanhPhanHoSo or "—")[:1000],
            received=True,
            reused=doc.DuocSoHoa == 1,
        )
        for doc in record.documents
    )
    DossierFee.objects.bulk_create(
        DossierFee(dossier=dossier, name=fee.TenPhiLePhi[:500] or "—", amount=Decimal(str(fee.Gia)))
        for fee in record.DanhSachLePhi
    )
    national.record = data
    national.fingerprint = fingerprint
    national.imported_at = now
    national.save()
    event: DossierEvent = dossier_event_build(
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
    event.save(force_insert=True)
    fact_refresh(dossier, record, bump=False)
