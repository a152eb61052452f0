"""Import and export of the catalogue as JSON mirroring the national procedure record (``LayThuTuc``).

The format is documented in docs/catalogue-format.md. Import is all-or-nothing: every item is parsed and
checked first, every error is collected (procedure, field, message), and only a clean file is written, in
one transaction. Re-importing the same file changes nothing."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from motcua.accounts.models import Role
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
    ResultType,
    TimeUnit,
    VersionStatus,
)
from motcua.catalog.validation import (
    AGENCY_CODE,
    NATIONAL_CODE,
    FieldError,
    StepBudget,
    overlapping,
    validate_process,
)
from motcua.core.errors import ApplicationError

FORMAT = "motcua.catalogue/1"
UNITS = {
    "ngày làm việc": TimeUnit.WORKING_DAYS,
    "ngày": TimeUnit.DAYS,
    "giờ làm việc": TimeUnit.HOURS,
    "giờ": TimeUnit.HOURS,
    "tháng": TimeUnit.MONTHS,
    "trong ngày": TimeUnit.SAME_DAY,
}
UNIT_LABELS = {
    TimeUnit.WORKING_DAYS: "Ngày làm việc",
    TimeUnit.DAYS: "Ngày",
    TimeUnit.HOURS: "Giờ làm việc",
    TimeUnit.MONTHS: "Tháng",
    TimeUnit.SAME_DAY: "Trong ngày",
}
CHANNELS = {
    "trực tiếp": Channel.COUNTER,
    "trực tuyến": Channel.ONLINE,
    "nộp qua bưu chính công ích": Channel.POST,
    "bưu chính công ích": Channel.POST,
}
CHANNEL_LABELS = {
    Channel.COUNTER: "Trực tiếp",
    Channel.ONLINE: "Trực tuyến",
    Channel.POST: "Nộp qua bưu chính công ích",
}
ONLINE = {
    "toàn trình": OnlineLevel.FULL,
    "một phần": OnlineLevel.PARTIAL,
    "không": OnlineLevel.NONE,
    "không cung cấp trực tuyến": OnlineLevel.NONE,
}
LEVELS = {
    "cấp tỉnh": AdministrativeLevel.PROVINCE,
    "cấp xã": AdministrativeLevel.COMMUNE,
    "cấp huyện": AdministrativeLevel.DISTRICT,
    "cấp trung ương": AdministrativeLevel.CENTRAL,
}
COPIES = {
    "bản chính": CopyKind.ORIGINAL,
    "bản sao": CopyKind.COPY,
    "bản sao có chứng thực": CopyKind.CERTIFIED_COPY,
    "bản chính hoặc bản sao": CopyKind.ORIGINAL_OR_COPY,
}
RESULTS = {
    "giấy phép": ResultType.LICENCE,
    "giấy chứng nhận": ResultType.CERTIFICATE,
    "quyết định": ResultType.DECISION,
    "trích lục": ResultType.EXTRACT,
    "khác": ResultType.OTHER,
}
FEE_KINDS = {"phí": FeeKind.FEE, "lệ phí": FeeKind.CHARGE}
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
STEP_UNITS = {"ngày làm việc": "working_days", "giờ làm việc": "hours", "giờ": "hours", "ngày": "days"}


def _choice(value: Any, table: Mapping[str, str], choices: list[str]) -> str | None:
    """Accept either the national label (any case) or our own code."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text in choices:
        return text
    return table.get(text.lower())


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


class _Parser:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []
        self.agency_codes = set(Agency.objects.values_list("code", flat=True))

    def err(self, procedure: str, path: str, message: str) -> None:
        self.errors.append(FieldError(procedure, path, message))

    def text(self, item: dict[str, Any], key: str, proc: str, *, required: bool = True) -> str:
        value = item.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.err(proc, key, "Phải là chuỗi ký tự / Must be text.")
            return ""
        if required and not value.strip():
            self.err(proc, key, "Bắt buộc / Required.")
        return value.strip()

    def decimal(self, value: Any, proc: str, path: str) -> Decimal:
        try:
            result = Decimal(str(value))
        except (InvalidOperation, ValueError):
            self.err(proc, path, f"Không phải số: {value!r} / Not a number.")
            return Decimal(0)
        if result < 0 or not result.is_finite():
            self.err(proc, path, "Không được âm / Must not be negative.")
        return result

    def date(self, value: Any, proc: str, path: str, *, required: bool) -> dt.date | None:
        if value in (None, ""):
            if required:
                self.err(proc, path, "Bắt buộc (YYYY-MM-DD) / Required.")
            return None
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.err(proc, path, f"Ngày không hợp lệ: {value!r} (YYYY-MM-DD) / Invalid date.")
            return None

    def agency(self, code: Any, proc: str, path: str) -> str:
        if not isinstance(code, str) or not AGENCY_CODE.match(code):
            self.err(proc, path, f"Mã cơ quan không đúng dạng: {code!r} / Malformed agency code.")
            return ""
        if code not in self.agency_codes:
            self.err(proc, path, f"Không có cơ quan mã {code} / Unknown agency code {code}.")
        return code

    def parse(self, index: int, item: Any) -> ParsedVersion | None:
        if not isinstance(item, dict):
            self.err(
                f"#{index}", "THUTUC", "Mỗi thủ tục phải là một đối tượng JSON / Each item must be an object."
            )
            return None
        local = item.get("MATTHCDP") or item.get("MATTHC") or f"#{index}"
        proc = str(local)
        national = self.text(item, "MATTHC", proc, required=False)
        if national and not NATIONAL_CODE.match(national):
            self.err(proc, "MATTHC", f"Mã TTHC phải có dạng d.dddddd: {national!r} / Use the form d.dddddd.")
        local_code = self.text(item, "MATTHCDP", proc)
        name = self.text(item, "TENTTHC", proc)
        fields = item.get("LINHVUCTHUCHIEN") or []
        field_code, field_values = "", {}
        if not isinstance(fields, list) or not fields or not isinstance(fields[0], dict):
            self.err(proc, "LINHVUCTHUCHIEN", "Cần ít nhất một lĩnh vực / At least one field is required.")
        else:
            field_code = str(fields[0].get("MALINHVUC", "")).strip()
            field_values = {
                "name": str(fields[0].get("TENLINHVUC", "")).strip(),
                "sector": str(fields[0].get("NGANH", "")).strip(),
            }
            if not field_code or not field_values["name"]:
                self.err(
                    proc, "LINHVUCTHUCHIEN[0]", "Thiếu MALINHVUC/TENLINHVUC / Field code and name required."
                )
        level = _choice(item.get("CAPTHUCHIEN"), LEVELS, AdministrativeLevel.values)
        if level is None:
            self.err(
                proc,
                "CAPTHUCHIEN",
                f"Cấp thực hiện không hợp lệ: {item.get('CAPTHUCHIEN')!r} / Invalid level.",
            )
        online = _choice(item.get("MUCDODVC", "Một phần"), ONLINE, OnlineLevel.values)
        if online is None:
            self.err(
                proc, "MUCDODVC", "Mức độ DVC phải là 'Toàn trình' hoặc 'Một phần' / Invalid online level."
            )
        channels: list[str] = []
        limit_value, limit_unit, fees = Decimal(0), "", []
        ways = item.get("CACHTHUCTHUCHIEN")
        if not isinstance(ways, list) or not ways:
            self.err(proc, "CACHTHUCTHUCHIEN", "Cần ít nhất một cách thức thực hiện / At least one channel.")
            ways = []
        fee_channels: dict[tuple[str, str, Decimal, str], set[str]] = defaultdict(set)
        fee_rows: dict[tuple[str, str, Decimal, str], dict[str, Any]] = {}
        for w, way in enumerate(ways):
            path = f"CACHTHUCTHUCHIEN[{w}]"
            if not isinstance(way, dict):
                self.err(proc, path, "Phải là đối tượng / Must be an object.")
                continue
            channel = _choice(way.get("KENH"), CHANNELS, Channel.values)
            if channel is None:
                self.err(proc, f"{path}.KENH", f"Kênh không hợp lệ: {way.get('KENH')!r} / Unknown channel.")
                continue
            channels.append(channel)
            times = way.get("THOIGIAN") or []
            if not isinstance(times, list) or not times or not isinstance(times[0], dict):
                self.err(proc, f"{path}.THOIGIAN", "Thiếu thời hạn giải quyết / Time limit missing.")
                continue
            time = times[0]
            unit = _choice(time.get("DONVITINH"), UNITS, TimeUnit.values)
            if unit is None:
                self.err(
                    proc,
                    f"{path}.THOIGIAN[0].DONVITINH",
                    f"Đơn vị thời hạn không hợp lệ: {time.get('DONVITINH')!r} / Unknown unit.",
                )
                continue
            value = self.decimal(
                time.get("THOIGIANGIAIQUYET", 0), proc, f"{path}.THOIGIAN[0].THOIGIANGIAIQUYET"
            )
            if not limit_unit:
                limit_value, limit_unit = value, unit
            elif (value, unit) != (limit_value, limit_unit):
                self.err(
                    proc,
                    f"{path}.THOIGIAN[0]",
                    "Thời hạn khác nhau giữa các kênh / The time limit differs between channels.",
                )
            for f, fee in enumerate(time.get("PHILEPHI") or []):
                fpath = f"{path}.THOIGIAN[0].PHILEPHI[{f}]"
                if not isinstance(fee, dict):
                    self.err(proc, fpath, "Phải là đối tượng / Must be an object.")
                    continue
                amount = self.decimal(fee.get("SOTIEN", 0), proc, f"{fpath}.SOTIEN")
                kind = _choice(fee.get("LOAI", "Lệ phí"), FEE_KINDS, FeeKind.values) or FeeKind.CHARGE
                fee_name = str(fee.get("MOTA") or fee.get("TENPHILEPHI") or "").strip()
                if not fee_name:
                    self.err(proc, f"{fpath}.MOTA", "Thiếu tên phí / Fee name missing.")
                key = (fee_name, kind, amount, str(fee.get("MAPHILEPHI", "")))
                fee_channels[key].add(channel)
                fee_rows[key] = {
                    "name": fee_name,
                    "kind": kind,
                    "amount": amount,
                    "code": str(fee.get("MAPHILEPHI", "")),
                    "exemptions": str(fee.get("MIENGIAM", "")),
                    "legal_basis": str(fee.get("CANCU", "")),
                }
        for key, used_by in fee_channels.items():
            for channel in [""] if used_by == set(channels) else sorted(used_by):
                fees.append({**fee_rows[key], "channel": channel})
        cutoff = None
        if limit_unit == TimeUnit.SAME_DAY:
            try:
                cutoff = dt.time.fromisoformat(str(item.get("GIOCHOTTRONGNGAY") or "15:00"))
            except ValueError:
                self.err(proc, "GIOCHOTTRONGNGAY", "Giờ chốt phải có dạng HH:MM / Use HH:MM.")
        results = item.get("KETQUATHUCHIEN") or []
        result = results[0] if isinstance(results, list) and results and isinstance(results[0], dict) else {}
        if not result.get("TENKETQUA"):
            self.err(proc, "KETQUATHUCHIEN", "Thiếu kết quả thực hiện / Result missing.")
        result_type = (
            _choice(result.get("LOAIKETQUA", "Khác"), RESULTS, ResultType.values) or ResultType.OTHER
        )
        agencies = item.get("COQUANTHUCHIEN") or []
        competent = ""
        if not isinstance(agencies, list) or not agencies or not isinstance(agencies[0], dict):
            self.err(proc, "COQUANTHUCHIEN", "Thiếu cơ quan thực hiện / Competent agency missing.")
        else:
            competent = self.agency(agencies[0].get("MACOQUAN"), proc, "COQUANTHUCHIEN[0].MACOQUAN")
        receiving = [
            self.agency(a.get("MACOQUAN") if isinstance(a, dict) else a, proc, f"NOITIEPNHAN[{i}]")
            for i, a in enumerate(item.get("NOITIEPNHAN") or [])
        ]
        version_info = item.get("PHIENBAN") or {}
        if not isinstance(version_info, dict):
            self.err(proc, "PHIENBAN", "Phải là đối tượng / Must be an object.")
            version_info = {}
        try:
            number = int(version_info.get("SO", 1))
        except (TypeError, ValueError):
            self.err(proc, "PHIENBAN.SO", "Số phiên bản phải là số nguyên / Version must be an integer.")
            number = 1
        start = self.date(version_info.get("HIEULUCTU"), proc, "PHIENBAN.HIEULUCTU", required=True)
        end = self.date(version_info.get("HIEULUCDEN"), proc, "PHIENBAN.HIEULUCDEN", required=False)
        if start and end and end < start:
            self.err(
                proc,
                "PHIENBAN.HIEULUCDEN",
                "Ngày hết hiệu lực trước ngày có hiệu lực / Ends before it starts.",
            )
        status = version_info.get("TRANGTHAI", VersionStatus.PUBLISHED)
        if status not in VersionStatus.values:
            self.err(proc, "PHIENBAN.TRANGTHAI", "Trạng thái là 'published' hoặc 'draft' / Invalid status.")
        parsed = ParsedVersion(
            local_code=local_code,
            national_code=national,
            number=number,
            field_code=field_code,
            field_values=field_values,
            competent_code=competent,
            receiving_codes=[c for c in receiving if c],
            values={
                "name": name,
                "name_en": str(item.get("TENTTHC_EN", "")),
                "level": level or "",
                "online_level": online or OnlineLevel.PARTIAL,
                "channels": channels,
                "status": status,
                "effective_from": start,
                "effective_to": end,
                "publication_decision": str(version_info.get("QUYETDINHCONGBO", "")),
                "time_limit_value": limit_value,
                "time_limit_unit": limit_unit,
                "same_day_cutoff": cutoff,
                "time_limit_note": str((ways[0].get("THOIGIAN") or [{}])[0].get("MOTA", ""))
                if ways and isinstance(ways[0], dict)
                else "",
                "result_type": result_type,
                "result_name": str(result.get("TENKETQUA", "")),
                "result_code": str(result.get("MAKETQUA", "")),
                "sequence": str(item.get("TRINHTUTHUCHIEN", "")),
                "subjects": str(item.get("MOTADOITUONGTHUCHIEN", "")),
                "requirements": str(item.get("YEUCAU", "")),
                "description": str(item.get("MOTA", "")),
                "process_decision": str((item.get("QUYTRINHNOIBO") or {}).get("QUYETDINH", "")),
            },
        )
        for i, basis in enumerate(item.get("CANCUPHAPLY") or []):
            if not isinstance(basis, dict) or not basis.get("SOVANBAN"):
                self.err(proc, f"CANCUPHAPLY[{i}].SOVANBAN", "Thiếu số văn bản / Document number missing.")
                continue
            parsed.legal_bases.append(
                {
                    "order": i,
                    "number": str(basis["SOVANBAN"]),
                    "title": str(basis.get("TENVANBAN", "")),
                    "issued_on": self.date(
                        basis.get("NGAYBANHANH"), proc, f"CANCUPHAPLY[{i}].NGAYBANHANH", required=False
                    ),
                }
            )
        for i, comp in enumerate(item.get("THANHPHANHOSO") or []):
            path = f"THANHPHANHOSO[{i}]"
            if not isinstance(comp, dict) or not comp.get("TENGIAYTO"):
                self.err(proc, f"{path}.TENGIAYTO", "Thiếu tên giấy tờ / Document name missing.")
                continue
            copy_kind = _choice(comp.get("LOAIBAN", "Bản chính"), COPIES, CopyKind.values)
            if copy_kind is None:
                self.err(
                    proc, f"{path}.LOAIBAN", f"Loại bản không hợp lệ: {comp.get('LOAIBAN')!r} / Invalid."
                )
                copy_kind = CopyKind.ORIGINAL
            try:
                originals, copies = int(comp.get("SOBANCHINH", 1)), int(comp.get("SOBANSAO", 0))
            except (TypeError, ValueError):
                self.err(proc, path, "Số bản phải là số nguyên / Counts must be integers.")
                originals, copies = 1, 0
            parsed.components.append(
                {
                    "order": i,
                    "code": str(comp.get("MAGIAYTO", "")),
                    "name": str(comp["TENGIAYTO"]),
                    "copy_kind": copy_kind,
                    "originals": originals,
                    "copies": copies,
                    "required": bool(comp.get("BATBUOC", True)),
                    "template_name": str(comp.get("MAUDON", "")),
                    "note": str(comp.get("GHICHU", "")),
                }
            )
        parsed.fees = fees
        process = item.get("QUYTRINHNOIBO") or {}
        steps = process.get("CACBUOC") if isinstance(process, dict) else None
        budgets: list[StepBudget] = []
        for i, step in enumerate(steps or []):
            path = f"QUYTRINHNOIBO.CACBUOC[{i}]"
            if not isinstance(step, dict):
                self.err(proc, path, "Phải là đối tượng / Must be an object.")
                continue
            role = step.get("VAITRO")
            if role not in Role.values:
                self.err(proc, f"{path}.VAITRO", f"Vai trò không hợp lệ: {role!r} / Unknown role.")
            unit = _choice(step.get("DONVITINH"), STEP_UNITS, ["working_days", "hours", "days"])
            if unit is None:
                self.err(
                    proc,
                    f"{path}.DONVITINH",
                    f"Đơn vị không hợp lệ: {step.get('DONVITINH')!r} / Unknown unit.",
                )
                unit = "working_days"
            value = self.decimal(step.get("THOIGIAN", 0), proc, f"{path}.THOIGIAN")
            group = str(step.get("NHOMSONGSONG") or "")
            budgets.append(StepBudget(value, unit, group))
            parsed.steps.append(
                {
                    "order": int(step.get("THUTU", i + 1)),
                    "name": str(step.get("TENBUOC", "")),
                    "role": role,
                    "agency_code": self.agency(step.get("MACOQUAN"), proc, f"{path}.MACOQUAN"),
                    "budget_value": value,
                    "budget_unit": unit,
                    "parallel_group": group,
                    "is_approval": bool(step.get("PHEDUYET", False)),
                    "is_signature": bool(step.get("KYSO", False)),
                }
            )
        if limit_unit:
            self.errors.extend(validate_process(proc, limit_value, limit_unit, budgets))
        return parsed


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
    parser = _Parser()
    parsed = [p for i, item in enumerate(document["THUTUC"]) if (p := parser.parse(i, item)) is not None]
    _check_versions(parsed, parser)
    if parser.errors:
        raise ApplicationError(
            f"Danh mục có {len(parser.errors)} lỗi, chưa nhập gì / The catalogue has {len(parser.errors)} "
            "errors; nothing was imported.",
            {"errors": [e.as_dict() for e in parser.errors]},
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


def _check_versions(parsed: list[ParsedVersion], parser: _Parser) -> None:
    from motcua.catalog.models import Procedure

    by_code: dict[str, list[ParsedVersion]] = defaultdict(list)
    for item in parsed:
        by_code[item.local_code].append(item)
    for code, items in by_code.items():
        numbers = [i.number for i in items]
        if len(numbers) != len(set(numbers)):
            parser.err(
                code, "PHIENBAN.SO", "Trùng số phiên bản trong tệp / Duplicate version number in the file."
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
            parser.err(
                code,
                "PHIENBAN.HIEULUCTU",
                "Các phiên bản có thời gian hiệu lực chồng lấn / Versions overlap in their effective dates.",
            )


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
    version.components.all().delete()
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
    parser = _Parser()
    parsed = parser.parse(0, document["THUTUC"][0])
    return _fingerprint(parsed) if parsed is not None else ""


def _version_record(version: ProcedureVersion) -> dict[str, Any]:
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
