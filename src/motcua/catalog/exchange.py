"""Import and export of the catalogue as JSON mirroring the national procedure record (``LayThuTuc``).

The format is documented in docs/catalogue-format.md. Import is all-or-nothing: every item is parsed and
checked first, every error is collected (procedure, field, message), and only a clean file is written, in
one transaction. Re-importing the same file changes nothing."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import translation
from django.utils.translation import gettext
from pydantic import ValidationError

from motcua.agencies.models import Agency
from motcua.catalog.models import (
    AdministrativeLevel,
    Channel,
    Component,
    CopyKind,
    Fee,
    FeeKind,
    Field,
    LegalBasis,
    OnlineLevel,
    ProcedureVersion,
    ProcessStep,
    TimeUnit,
)
from motcua.catalog.record import COPIES, RESULTS, ProcedureRecord, record_errors, record_validate
from motcua.catalog.validation import FieldError, StepBudget, overlapping, validate_process
from motcua.core.errors import ApplicationError

FORMAT = "motcua.catalogue/1"
# A same-day limit without GIOCHOTTRONGNGAY closes at 15:00, the usual cut-off of the sector laws.
DEFAULT_SAME_DAY_CUTOFF = dt.time(15, 0)
UNIT_LABELS = {
    TimeUnit.WORKING_DAYS: "Ngày làm việc",
    TimeUnit.DAYS: "Ngày",
    TimeUnit.HOURS: "Giờ làm việc",
    TimeUnit.MONTHS: "Tháng",
    TimeUnit.SAME_DAY: "Trong ngày",
}
CHANNEL_LABELS = {
    Channel.COUNTER: "Trực tiếp",
    Channel.ONLINE: "Trực tuyến",
    Channel.POST: "Nộp qua bưu chính công ích",
}
LEVEL_LABELS = {
    AdministrativeLevel.PROVINCE: "Cấp tỉnh",
    AdministrativeLevel.COMMUNE: "Cấp xã",
    AdministrativeLevel.DISTRICT: "Cấp huyện",
    AdministrativeLevel.CENTRAL: "Cấp trung ương",
}
ONLINE_LABELS = {
    OnlineLevel.FULL: "Toàn trình",
    OnlineLevel.PARTIAL: "Một phần",
    OnlineLevel.NONE: "Không cung cấp trực tuyến",
}
COPY_LABELS = {v: k[0].upper() + k[1:] for k, v in COPIES.items()}
RESULT_LABELS = {v: k[0].upper() + k[1:] for k, v in RESULTS.items()}
FEE_LABELS = {FeeKind.FEE: "Phí", FeeKind.CHARGE: "Lệ phí"}


@dataclass
class ParsedVersion:
    local_code: str
    national_code: str
    number: int
    values: dict[str, Any]
    field_code: str
    field_values: dict[str, str]
    competent_code: str
    receiving_codes: list[str]
    legal_bases: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    fees: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ImportReport:
    procedures: int = 0
    versions_created: int = 0
    versions_updated: int = 0
    versions_unchanged: int = 0


def _parse(
    index: int, item: Any, *, agency_codes: Collection[str] | None
) -> tuple[ParsedVersion | None, list[FieldError]]:
    """Validate one item (pydantic, then the rules that compare fields) and flatten it into model values."""
    if not isinstance(item, dict):
        message = "Mỗi thủ tục phải là một đối tượng JSON / Each item must be an object."
        return None, [FieldError(f"#{index}", "THUTUC", message)]
    procedure = str(item.get("MATTHCDP") or item.get("MATTHC") or f"#{index}")
    try:
        record = record_validate(item, agency_codes=agency_codes)
    except ValidationError as exc:
        return None, record_errors(exc, procedure)
    errors = _rules(record, procedure)
    return (None, errors) if errors else (_flatten(record), [])


def _rules(record: ProcedureRecord, procedure: str) -> list[FieldError]:
    """Rules over several fields of a well-formed item."""
    errors = []
    limit = record.ways[0].times[0]
    for w, way in enumerate(record.ways):
        if (way.times[0].value, way.times[0].unit) != (limit.value, limit.unit):
            errors.append(
                FieldError(
                    procedure,
                    f"CACHTHUCTHUCHIEN[{w}].THOIGIAN[0]",
                    "Thời hạn khác nhau giữa các kênh / The time limit differs between channels.",
                )
            )
    if record.same_day_cutoff_basis and limit.unit != TimeUnit.SAME_DAY:
        errors.append(
            FieldError(
                procedure,
                "CANCUGIOCHOTTRONGNGAY",
                "Căn cứ giờ chốt chỉ dùng cho thời hạn 'Trong ngày' / "
                "A cut-off basis needs a same-day limit.",
            )
        )
    budgets = [StepBudget(s.budget_value, s.budget_unit, s.parallel_group) for s in record.process.steps]
    errors.extend(validate_process(procedure, limit.value, limit.unit, budgets))
    return errors


def _flatten(record: ProcedureRecord) -> ParsedVersion:
    limit = record.ways[0].times[0]
    channels = [way.channel for way in record.ways]
    # The national record repeats fees under each channel; a fee every channel lists is stored once.
    fee_channels: dict[tuple[str, str, Decimal, str], set[str]] = defaultdict(set)
    fee_rows: dict[tuple[str, str, Decimal, str], dict[str, Any]] = {}
    for way in record.ways:
        for fee in way.times[0].fees:
            key = (fee.name, fee.kind, fee.amount, fee.code)
            fee_channels[key].add(way.channel)
            fee_rows[key] = {
                "name": fee.name,
                "kind": fee.kind,
                "amount": fee.amount,
                "code": fee.code,
                "exemptions": fee.exemptions,
                "legal_basis": fee.legal_basis,
            }
    fees = [
        {**fee_rows[key], "channel": channel}
        for key, used_by in fee_channels.items()
        for channel in ([""] if used_by == set(channels) else sorted(used_by))
    ]
    same_day = limit.unit == TimeUnit.SAME_DAY
    version = record.version
    result = record.results[0]
    return ParsedVersion(
        local_code=record.local_code,
        national_code=record.national_code,
        number=version.number,
        field_code=record.fields[0].code,
        field_values={"name": record.fields[0].name, "sector": record.fields[0].sector},
        competent_code=record.competent[0].code,
        receiving_codes=[c for c in record.receiving if c],
        values={
            "name": record.name,
            "name_en": record.name_en,
            "level": record.level,
            "online_level": record.online_level,
            "channels": channels,
            "status": version.status,
            "effective_from": version.effective_from,
            "effective_to": version.effective_to,
            "publication_decision": version.publication_decision,
            "time_limit_value": limit.value,
            "time_limit_unit": limit.unit,
            "same_day_cutoff": (record.same_day_cutoff or DEFAULT_SAME_DAY_CUTOFF) if same_day else None,
            "same_day_cutoff_basis": record.same_day_cutoff_basis if same_day else "",
            "time_limit_note": limit.note,
            "result_type": result.type,
            "result_name": result.name,
            "result_code": result.code,
            "sequence": record.sequence,
            "subjects": record.subjects,
            "requirements": record.requirements,
            "description": record.description,
            "process_decision": record.process.decision,
        },
        legal_bases=[
            {"order": i, "number": b.number, "title": b.title, "issued_on": b.issued_on}
            for i, b in enumerate(record.legal_bases)
        ],
        components=[
            {
                "order": i,
                "code": c.code,
                "name": c.name,
                "copy_kind": c.copy_kind,
                "originals": c.originals,
                "copies": c.copies,
                "required": c.required,
                "template_name": c.template_name,
                "note": c.note,
                "is_identity_document": c.is_identity_document,
            }
            for i, c in enumerate(record.components)
        ],
        fees=fees,
        steps=[
            {
                "order": s.order if s.order is not None else i + 1,
                "name": s.name,
                "role": s.role,
                "agency_code": s.agency_code,
                "budget_value": s.budget_value,
                "budget_unit": s.budget_unit,
                "parallel_group": s.parallel_group,
                "is_approval": s.is_approval,
                "is_signature": s.is_signature,
            }
            for i, s in enumerate(record.process.steps)
        ],
    )


def _load(data: dict[str, Any] | bytes | str) -> dict[str, Any]:
    if isinstance(data, bytes | str):
        try:
            loaded = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ApplicationError(
                f"Tệp không phải JSON hợp lệ: {exc} / The file is not valid JSON.",
                {"errors": [{"procedure": "", "field": "", "message": str(exc)}]},
            ) from exc
    else:
        loaded = data
    if not isinstance(loaded, dict) or not isinstance(loaded.get("THUTUC"), list):
        raise ApplicationError(
            "Thiếu danh sách THUTUC / The document needs a THUTUC list.",
            {"errors": [{"procedure": "", "field": "THUTUC", "message": "missing"}]},
        )
    if loaded.get("DINHDANG", FORMAT) != FORMAT:
        raise ApplicationError(
            f"Định dạng không hỗ trợ: {loaded.get('DINHDANG')!r} / Unsupported format.",
            {"errors": [{"procedure": "", "field": "DINHDANG", "message": "unsupported"}]},
        )
    return loaded


def catalogue_import(*, data: dict[str, Any] | bytes | str) -> ImportReport:
    """Import a whole catalogue document; raise ApplicationError listing every error, writing nothing."""
    document = _load(data)
    agency_codes = set(Agency.objects.values_list("code", flat=True))
    parsed: list[ParsedVersion] = []
    errors: list[FieldError] = []
    for i, item in enumerate(document["THUTUC"]):
        version, item_errors = _parse(i, item, agency_codes=agency_codes)
        errors.extend(item_errors)
        if version is not None:
            parsed.append(version)
    errors.extend(_check_versions(parsed))
    if errors:
        raise ApplicationError(
            f"Danh mục có {len(errors)} lỗi, chưa nhập gì / The catalogue has {len(errors)} "
            "errors; nothing was imported.",
            {"errors": [e.as_dict() for e in errors]},
        )
    report = ImportReport()
    with transaction.atomic():
        agencies = {a.code: a for a in Agency.objects.all()}
        seen_procedures = set()
        for item in parsed:
            outcome = _write(item, agencies)
            seen_procedures.add(item.local_code)
            setattr(report, f"versions_{outcome}", getattr(report, f"versions_{outcome}") + 1)
        report.procedures = len(seen_procedures)
    return report


def _check_versions(parsed: list[ParsedVersion]) -> list[FieldError]:
    from motcua.catalog.models import Procedure

    errors = []
    by_code: dict[str, list[ParsedVersion]] = defaultdict(list)
    for item in parsed:
        by_code[item.local_code].append(item)
    for code, items in by_code.items():
        numbers = [i.number for i in items]
        if len(numbers) != len(set(numbers)):
            errors.append(
                FieldError(
                    code,
                    "PHIENBAN.SO",
                    "Trùng số phiên bản trong tệp / Duplicate version number in the file.",
                )
            )
        periods = {
            i.number: (i.values["effective_from"], i.values["effective_to"])
            for i in items
            if i.values["effective_from"] is not None
        }
        existing = Procedure.objects.filter(local_code=code).first()
        if existing is not None:
            for v in existing.versions.exclude(number__in=list(periods)):
                periods[v.number] = (v.effective_from, v.effective_to)
        if overlapping(list(periods.values())):
            errors.append(
                FieldError(
                    code,
                    "PHIENBAN.HIEULUCTU",
                    "Các phiên bản có thời gian hiệu lực chồng lấn / "
                    "Versions overlap in their effective dates.",
                )
            )
    return errors


def _write(item: ParsedVersion, agencies: dict[str, Agency]) -> str:
    from motcua.catalog.models import Procedure
    from motcua.catalog.search import version_search_text

    field_obj, _ = Field.objects.update_or_create(code=item.field_code, defaults=item.field_values)
    procedure, _ = Procedure.objects.update_or_create(
        local_code=item.local_code, defaults={"national_code": item.national_code}
    )
    values = {**item.values, "field": field_obj, "competent_agency": agencies[item.competent_code]}
    version = ProcedureVersion.objects.filter(procedure=procedure, number=item.number).first()
    fingerprint = _fingerprint(item)
    if version is not None and _fingerprint_of(version) == fingerprint:
        return "unchanged"
    outcome = "updated" if version is not None else "created"
    if version is None:
        version = ProcedureVersion(procedure=procedure, number=item.number)
    for key, value in values.items():
        setattr(version, key, value)
    version.save()
    version.receiving_agencies.set([agencies[c] for c in item.receiving_codes])
    version.legal_bases.all().delete()
    try:
        with transaction.atomic():
            version.components.all().delete()
    except ProtectedError as exc:
        # Dossiers pinned to this version keep its components: a changed procedure is a new version.
        raise ApplicationError(
            gettext(
                "Phiên bản %(number)s của thủ tục %(code)s đã có hồ sơ sử dụng; "
                "hãy nhập thay đổi thành một phiên bản mới."
            )
            % {"number": item.number, "code": item.local_code},
            {"errors": [{"procedure": item.local_code, "field": "PHIENBAN", "message": "in use"}]},
        ) from exc
    version.fees.all().delete()
    version.steps.all().delete()
    LegalBasis.objects.bulk_create([LegalBasis(version=version, **b) for b in item.legal_bases])
    Component.objects.bulk_create([Component(version=version, **c) for c in item.components])
    Fee.objects.bulk_create([Fee(version=version, **f) for f in item.fees])
    ProcessStep.objects.bulk_create(
        [
            ProcessStep(
                version=version,
                agency=agencies[s["agency_code"]],
                **{k: v for k, v in s.items() if k != "agency_code"},
            )
            for s in item.steps
        ]
    )
    version = ProcedureVersion.objects.select_related("procedure", "field", "competent_agency").get(
        pk=version.pk
    )
    version.search_text = version_search_text(version)
    version.save(update_fields=["search_text"])
    return outcome


def _num(value: Decimal) -> str:
    """Decimal without exponent or trailing zeros: 10 → "10", 0.50 → "0.5"."""
    return format(value.normalize(), "f")


def _plain(value: Any) -> Any:
    return _num(value) if isinstance(value, Decimal) else str(value)


def _fingerprint(item: ParsedVersion) -> str:
    return json.dumps(
        [
            item.national_code,
            item.field_code,
            item.field_values,
            item.competent_code,
            sorted(item.receiving_codes),
            item.values,
            item.legal_bases,
            item.components,
            item.fees,
            item.steps,
        ],
        default=str,
        sort_keys=True,
    )


def _fingerprint_of(version: ProcedureVersion) -> str:
    document = catalogue_export(versions=[version])
    parsed, _ = _parse(0, document["THUTUC"][0], agency_codes=None)
    return _fingerprint(parsed) if parsed is not None else ""


def _version_record(version: ProcedureVersion) -> dict[str, Any]:
    # The national format carries Vietnamese labels whatever the interface language of the caller: the
    # fingerprint that decides "unchanged" is built from this record, so an English request on the same
    # thread must not make every version look changed (and try to replace rows dossiers still use).
    with translation.override("vi"):
        return _version_record_vi(version)


def _version_record_vi(version: ProcedureVersion) -> dict[str, Any]:
    fees_by_channel: dict[str, list[dict[str, Any]]] = {}
    for channel in version.channels:
        fees_by_channel[channel] = [
            {
                "MAPHILEPHI": f.code,
                "LOAI": FEE_LABELS[FeeKind(f.kind)],
                "SOTIEN": _num(f.amount),
                "DONVI": "VNĐ",
                "MOTA": f.name,
                "MIENGIAM": f.exemptions,
                "CANCU": f.legal_basis,
            }
            for f in version.fees.all()
            if f.channel in ("", channel)
        ]
    time = {
        "THOIGIANGIAIQUYET": _num(version.time_limit_value),
        "DONVITINH": UNIT_LABELS[TimeUnit(version.time_limit_unit)],
        "MOTA": version.time_limit_note,
    }
    record: dict[str, Any] = {
        "MATTHC": version.procedure.national_code,
        "MATTHCDP": version.procedure.local_code,
        "TENTTHC": version.name,
        "TENTTHC_EN": version.name_en,
        "LINHVUCTHUCHIEN": [
            {"MALINHVUC": version.field.code, "TENLINHVUC": version.field.name, "NGANH": version.field.sector}
        ],
        "CAPTHUCHIEN": LEVEL_LABELS[AdministrativeLevel(version.level)],
        "MUCDODVC": ONLINE_LABELS[OnlineLevel(version.online_level)],
        "CACHTHUCTHUCHIEN": [
            {"KENH": CHANNEL_LABELS[Channel(c)], "THOIGIAN": [{**time, "PHILEPHI": fees_by_channel[c]}]}
            for c in version.channels
        ],
        "TRINHTUTHUCHIEN": version.sequence,
        "THANHPHANHOSO": [
            {
                "MAGIAYTO": c.code,
                "TENGIAYTO": c.name,
                "LOAIBAN": COPY_LABELS[CopyKind(c.copy_kind)],
                "SOBANCHINH": c.originals,
                "SOBANSAO": c.copies,
                "BATBUOC": c.required,
                "MAUDON": c.template_name,
                "GHICHU": c.note,
                "GIAYTOTUYTHAN": c.is_identity_document,
            }
            for c in version.components.all()
        ],
        "KETQUATHUCHIEN": [
            {
                "MAKETQUA": version.result_code,
                "TENKETQUA": version.result_name,
                "LOAIKETQUA": version.get_result_type_display().split(" /")[0],
            }
        ],
        "CANCUPHAPLY": [
            {
                "SOVANBAN": b.number,
                "TENVANBAN": b.title,
                "NGAYBANHANH": b.issued_on.isoformat() if b.issued_on else None,
            }
            for b in version.legal_bases.all()
        ],
        "COQUANTHUCHIEN": [
            {"MACOQUAN": version.competent_agency.code, "TENCOQUAN": version.competent_agency.name}
        ],
        "NOITIEPNHAN": [{"MACOQUAN": a.code, "TENCOQUAN": a.name} for a in version.receiving_agencies.all()],
        "YEUCAU": version.requirements,
        "MOTADOITUONGTHUCHIEN": version.subjects,
        "MOTA": version.description,
        "PHIENBAN": {
            "SO": version.number,
            "TRANGTHAI": version.status,
            "HIEULUCTU": version.effective_from.isoformat(),
            "HIEULUCDEN": version.effective_to.isoformat() if version.effective_to else None,
            "QUYETDINHCONGBO": version.publication_decision,
        },
        "QUYTRINHNOIBO": {
            "QUYETDINH": version.process_decision,
            "CACBUOC": [
                {
                    "THUTU": s.order,
                    "TENBUOC": s.name,
                    "VAITRO": s.role,
                    "MACOQUAN": s.agency.code,
                    "THOIGIAN": _num(s.budget_value),
                    "DONVITINH": {"working_days": "Ngày làm việc", "hours": "Giờ làm việc", "days": "Ngày"}[
                        s.budget_unit
                    ],
                    "NHOMSONGSONG": s.parallel_group or None,
                    "PHEDUYET": s.is_approval,
                    "KYSO": s.is_signature,
                }
                for s in version.steps.all()
            ],
        },
    }
    if version.same_day_cutoff is not None:
        record["GIOCHOTTRONGNGAY"] = version.same_day_cutoff.strftime("%H:%M")
    if version.same_day_cutoff_basis:
        record["CANCUGIOCHOTTRONGNGAY"] = version.same_day_cutoff_basis
    return record


def catalogue_export(
    *, versions: list[ProcedureVersion] | None = None, codes: list[str] | None = None
) -> dict[str, Any]:
    if versions is None:
        qs = (
            ProcedureVersion.objects.select_related("procedure", "field", "competent_agency")
            .prefetch_related("components", "fees", "legal_bases", "steps__agency", "receiving_agencies")
            .order_by("procedure__local_code", "number")
        )
        if codes:
            qs = qs.filter(procedure__local_code__in=codes)
        versions = list(qs)
    return {"DINHDANG": FORMAT, "THUTUC": [_version_record(v) for v in versions]}
