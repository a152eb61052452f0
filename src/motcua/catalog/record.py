"""Pydantic models of one catalogue item, keyed by the national record's names (CSDLQG ``LayThuTuc``).

Pydantic checks the shape of an item and each single value; every error carries a Vietnamese-then-English
message, and ``record_errors`` turns ``ValidationError.errors()`` into the import report's rows (procedure,
field path such as ``CACHTHUCTHUCHIEN[0].THOIGIAN[0].DONVITINH``, message). Rules that compare several fields
(one time limit on every channel, step budgets adding up to it) live in ``exchange`` and run once an item is
well formed. Agency codes are checked against the codes passed in the validation context
(``{"agency_codes": {...}}``); without it only their form is checked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from motcua.accounts.models import Role
from motcua.catalog.models import (
    AdministrativeLevel,
    Channel,
    CopyKind,
    FeeKind,
    OnlineLevel,
    ResultType,
    TimeUnit,
    VersionStatus,
)
from motcua.catalog.validation import AGENCY_CODE, NATIONAL_CODE, FieldError

UNITS = {
    "ngày làm việc": TimeUnit.WORKING_DAYS,
    "ngày": TimeUnit.DAYS,
    "giờ làm việc": TimeUnit.HOURS,
    "giờ": TimeUnit.HOURS,
    "tháng": TimeUnit.MONTHS,
    "trong ngày": TimeUnit.SAME_DAY,
}
CHANNELS = {
    "trực tiếp": Channel.COUNTER,
    "trực tuyến": Channel.ONLINE,
    "nộp qua bưu chính công ích": Channel.POST,
    "bưu chính công ích": Channel.POST,
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
STEP_UNITS = {"ngày làm việc": "working_days", "giờ làm việc": "hours", "giờ": "hours", "ngày": "days"}

OBJECT = "Phải là đối tượng / Must be an object."
# Messages for pydantic's own error types; ours (type "motcua") carry their message in the context.
GENERIC_MESSAGES = {
    "missing": "Bắt buộc / Required.",
    "string_type": "Phải là chuỗi ký tự / Must be text.",
    "model_type": OBJECT,
    "model_attributes_type": OBJECT,
    "dict_type": OBJECT,
    "list_type": "Phải là danh sách / Must be a list.",
    "bool_type": "Phải là true hoặc false / Must be true or false.",
    "bool_parsing": "Phải là true hoặc false / Must be true or false.",
}


def _fail(message: str, *, at: str = "") -> PydanticCustomError:
    """An error with our message; ``at`` names a key below the value that failed (for model-level rules)."""
    return PydanticCustomError("motcua", "{message}", {"message": message, "at": at})


# --- value types -------------------------------------------------------------------------------------


def _loose_text(value: Any) -> Any:
    """None is empty and numbers are written as text; anything else must already be text."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    return value


def _strict_text(value: Any) -> Any:
    return "" if value is None else value


def _required(message: str) -> AfterValidator:
    def check(value: Any) -> Any:
        if not value:
            raise _fail(message)
        return value

    return AfterValidator(check)


def _non_empty(message: str) -> BeforeValidator:
    """For lists the national record needs at least one entry of (fields, channels, result, agency)."""

    def check(value: Any) -> Any:
        if value is None or value == [] or value == {}:
            raise _fail(message)
        return value

    return BeforeValidator(check)


def _none_as(default: Any) -> BeforeValidator:
    return BeforeValidator(lambda value: default if value is None else value)


def _decimal(value: Any) -> Decimal:
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise _fail(f"Không phải số: {value!r} / Not a number.") from None
    if not result.is_finite() or result < 0:
        raise _fail("Không được âm / Must not be negative.")
    return result


def _date(*, required: bool) -> PlainValidator:
    def parse(value: Any) -> dt.date | None:
        if value is None or value == "":
            if required:
                raise _fail("Bắt buộc (YYYY-MM-DD) / Required.")
            return None
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise _fail(f"Ngày không hợp lệ: {value!r} (YYYY-MM-DD) / Invalid date.") from None

    return PlainValidator(parse)


def _integer(message: str) -> PlainValidator:
    def parse(value: Any) -> int:
        try:
            return int(value)
        except (TypeError, ValueError):
            raise _fail(message) from None

    return PlainValidator(parse)


def _time(value: Any) -> dt.time | None:
    if value is None or value == "":
        return None
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        raise _fail("Giờ chốt phải có dạng HH:MM / Use HH:MM.") from None


def _choice(
    table: Mapping[str, str],
    choices: Collection[str],
    message: Callable[[Any], str] | None = None,
    fallback: str = "",
) -> PlainValidator:
    """Accept the national label (any case) or our own code; unknown values are an error unless there is a
    fallback (the fee kind and result type fall back, as the national record often leaves them free)."""

    def parse(value: Any) -> str:
        if isinstance(value, str):
            text = value.strip()
            if text in choices:
                return text
            if text.lower() in table:
                return table[text.lower()]
        if message is None:
            return fallback
        raise _fail(message(value))

    return PlainValidator(parse)


def _agency(value: Any, info: ValidationInfo) -> str:
    if not isinstance(value, str) or not AGENCY_CODE.match(value):
        raise _fail(f"Mã cơ quan không đúng dạng: {value!r} / Malformed agency code.")
    known = (info.context or {}).get("agency_codes")
    if known is not None and value not in known:
        raise _fail(f"Không có cơ quan mã {value} / Unknown agency code {value}.")
    return value


def _national_code(value: str) -> str:
    if value and not NATIONAL_CODE.match(value):
        raise _fail(f"Mã TTHC phải có dạng d.dddddd: {value!r} / Use the form d.dddddd.")
    return value


Text = Annotated[str, BeforeValidator(_loose_text)]
Stripped = Annotated[str, BeforeValidator(_loose_text), AfterValidator(str.strip)]
StrictText = Annotated[str, BeforeValidator(_strict_text), AfterValidator(str.strip)]
Amount = Annotated[Decimal, PlainValidator(_decimal)]
Flag = Annotated[bool, _none_as(False)]
AgencyCode = Annotated[str, PlainValidator(_agency)]
# NOITIEPNHAN lists agencies as objects or as bare codes (a before-validator placed after the plain one
# runs first).
ReceivingCode = Annotated[
    str,
    PlainValidator(_agency),
    BeforeValidator(lambda v: v.get("MACOQUAN") if isinstance(v, dict) else v),
]


class _Record(BaseModel):
    # Keys the national record has and we do not use (DONVI, TENCOQUAN, …) are ignored.
    model_config = ConfigDict(extra="ignore", frozen=True)


# --- the item ------------------------------------------------------------------------------------------


class FieldRecord(_Record):
    code: Annotated[Stripped, _required("Thiếu MALINHVUC/TENLINHVUC / Field code and name required.")] = (
        Field(default="", alias="MALINHVUC", validate_default=True)
    )
    name: Annotated[Stripped, _required("Thiếu MALINHVUC/TENLINHVUC / Field code and name required.")] = (
        Field(default="", alias="TENLINHVUC", validate_default=True)
    )
    sector: Stripped = Field(default="", alias="NGANH")


class FeeRecord(_Record):
    code: Text = Field(default="", alias="MAPHILEPHI")
    kind: Annotated[str, _choice(FEE_KINDS, FeeKind.values, fallback=FeeKind.CHARGE)] = Field(
        default=FeeKind.CHARGE, alias="LOAI"
    )
    amount: Amount = Field(default=Decimal(0), alias="SOTIEN")
    description: Text = Field(default="", alias="MOTA")
    title: Text = Field(default="", alias="TENPHILEPHI")
    exemptions: Text = Field(default="", alias="MIENGIAM")
    legal_basis: Text = Field(default="", alias="CANCU")

    @property
    def name(self) -> str:
        return (self.description or self.title).strip()

    @model_validator(mode="after")
    def _has_a_name(self) -> FeeRecord:
        if not self.name:
            raise _fail("Thiếu tên phí / Fee name missing.", at="MOTA")
        return self


class TimeLimitRecord(_Record):
    value: Amount = Field(default=Decimal(0), alias="THOIGIANGIAIQUYET")
    unit: Annotated[
        str, _choice(UNITS, TimeUnit.values, lambda v: f"Đơn vị thời hạn không hợp lệ: {v!r} / Unknown unit.")
    ] = Field(default="", alias="DONVITINH", validate_default=True)
    note: Text = Field(default="", alias="MOTA")
    fees: Annotated[list[FeeRecord], _none_as([])] = Field(default=[], alias="PHILEPHI")


class WayRecord(_Record):
    channel: Annotated[
        str, _choice(CHANNELS, Channel.values, lambda v: f"Kênh không hợp lệ: {v!r} / Unknown channel.")
    ] = Field(default="", alias="KENH", validate_default=True)
    times: Annotated[list[TimeLimitRecord], _non_empty("Thiếu thời hạn giải quyết / Time limit missing.")] = (
        Field(default=[], alias="THOIGIAN", validate_default=True)
    )


class ResultRecord(_Record):
    code: Text = Field(default="", alias="MAKETQUA")
    name: Annotated[Text, _required("Thiếu kết quả thực hiện / Result missing.")] = Field(
        default="", alias="TENKETQUA", validate_default=True
    )
    # The export writes the label of the display ("Văn bản khác" for OTHER), so unknown labels mean OTHER.
    type: Annotated[str, _choice(RESULTS, ResultType.values, fallback=ResultType.OTHER)] = Field(
        default=ResultType.OTHER, alias="LOAIKETQUA"
    )


class LegalBasisRecord(_Record):
    number: Annotated[Text, _required("Thiếu số văn bản / Document number missing.")] = Field(
        default="", alias="SOVANBAN", validate_default=True
    )
    title: Text = Field(default="", alias="TENVANBAN")
    issued_on: Annotated[dt.date | None, _date(required=False)] = Field(default=None, alias="NGAYBANHANH")


class ComponentRecord(_Record):
    code: Text = Field(default="", alias="MAGIAYTO")
    name: Annotated[Text, _required("Thiếu tên giấy tờ / Document name missing.")] = Field(
        default="", alias="TENGIAYTO", validate_default=True
    )
    copy_kind: Annotated[
        str, _choice(COPIES, CopyKind.values, lambda v: f"Loại bản không hợp lệ: {v!r} / Invalid.")
    ] = Field(default=CopyKind.ORIGINAL, alias="LOAIBAN")
    originals: Annotated[int, _integer("Số bản phải là số nguyên / Counts must be integers.")] = Field(
        default=1, alias="SOBANCHINH"
    )
    copies: Annotated[int, _integer("Số bản phải là số nguyên / Counts must be integers.")] = Field(
        default=0, alias="SOBANSAO"
    )
    required: Flag = Field(default=True, alias="BATBUOC")
    template_name: Text = Field(default="", alias="MAUDON")
    note: Text = Field(default="", alias="GHICHU")
    # Local extension (not in the national record): the component is an image of an identity document.
    is_identity_document: Flag = Field(default=False, alias="GIAYTOTUYTHAN")


class StepRecord(_Record):
    order: Annotated[int | None, _integer("Thứ tự phải là số nguyên / The order must be an integer.")] = (
        Field(default=None, alias="THUTU")
    )
    name: Text = Field(default="", alias="TENBUOC")
    role: Annotated[
        str, _choice({}, Role.values, lambda v: f"Vai trò không hợp lệ: {v!r} / Unknown role.")
    ] = Field(default="", alias="VAITRO", validate_default=True)
    agency_code: AgencyCode = Field(default="", alias="MACOQUAN", validate_default=True)
    budget_value: Amount = Field(default=Decimal(0), alias="THOIGIAN")
    budget_unit: Annotated[
        str,
        _choice(
            STEP_UNITS,
            ["working_days", "hours", "days"],
            lambda v: f"Đơn vị không hợp lệ: {v!r} / Unknown unit.",
        ),
    ] = Field(default="", alias="DONVITINH", validate_default=True)
    parallel_group: Text = Field(default="", alias="NHOMSONGSONG")
    is_approval: Flag = Field(default=False, alias="PHEDUYET")
    is_signature: Flag = Field(default=False, alias="KYSO")


class ProcessRecord(_Record):
    decision: Text = Field(default="", alias="QUYETDINH")
    steps: Annotated[list[StepRecord], _none_as([])] = Field(default=[], alias="CACBUOC")


class VersionRecord(_Record):
    number: Annotated[int, _integer("Số phiên bản phải là số nguyên / Version must be an integer.")] = Field(
        default=1, alias="SO"
    )
    status: Annotated[
        str,
        _choice(
            {}, VersionStatus.values, lambda v: "Trạng thái là 'published' hoặc 'draft' / Invalid status."
        ),
    ] = Field(default=VersionStatus.PUBLISHED, alias="TRANGTHAI")
    effective_from: Annotated[dt.date | None, _date(required=True)] = Field(
        default=None, alias="HIEULUCTU", validate_default=True
    )
    effective_to: Annotated[dt.date | None, _date(required=False)] = Field(default=None, alias="HIEULUCDEN")
    publication_decision: Text = Field(default="", alias="QUYETDINHCONGBO")

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> VersionRecord:
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            raise _fail("Ngày hết hiệu lực trước ngày có hiệu lực / Ends before it starts.", at="HIEULUCDEN")
        return self


class AgencyRecord(_Record):
    code: AgencyCode = Field(default="", alias="MACOQUAN", validate_default=True)


class ProcedureRecord(_Record):
    """One item of ``THUTUC``: one version of one procedure."""

    national_code: Annotated[StrictText, AfterValidator(_national_code)] = Field(default="", alias="MATTHC")
    local_code: Annotated[StrictText, _required("Bắt buộc / Required.")] = Field(
        default="", alias="MATTHCDP", validate_default=True
    )
    name: Annotated[StrictText, _required("Bắt buộc / Required.")] = Field(
        default="", alias="TENTTHC", validate_default=True
    )
    name_en: Text = Field(default="", alias="TENTTHC_EN")
    fields: Annotated[
        list[FieldRecord], _non_empty("Cần ít nhất một lĩnh vực / At least one field is required.")
    ] = Field(default=[], alias="LINHVUCTHUCHIEN", validate_default=True)
    level: Annotated[
        str,
        _choice(
            LEVELS,
            AdministrativeLevel.values,
            lambda v: f"Cấp thực hiện không hợp lệ: {v!r} / Invalid level.",
        ),
    ] = Field(default=None, alias="CAPTHUCHIEN", validate_default=True)
    online_level: Annotated[
        str,
        _choice(
            ONLINE,
            OnlineLevel.values,
            lambda v: "Mức độ DVC phải là 'Toàn trình' hoặc 'Một phần' / Invalid online level.",
        ),
    ] = Field(default=OnlineLevel.PARTIAL, alias="MUCDODVC")
    ways: Annotated[
        list[WayRecord], _non_empty("Cần ít nhất một cách thức thực hiện / At least one channel.")
    ] = Field(default=[], alias="CACHTHUCTHUCHIEN", validate_default=True)
    # Ours: the cut-off of a same-day limit and the sector law that sets it (legal review 4.2).
    same_day_cutoff: Annotated[dt.time | None, PlainValidator(_time)] = Field(
        default=None, alias="GIOCHOTTRONGNGAY"
    )
    same_day_cutoff_basis: Stripped = Field(default="", alias="CANCUGIOCHOTTRONGNGAY")
    sequence: Text = Field(default="", alias="TRINHTUTHUCHIEN")
    components: Annotated[list[ComponentRecord], _none_as([])] = Field(default=[], alias="THANHPHANHOSO")
    results: Annotated[list[ResultRecord], _non_empty("Thiếu kết quả thực hiện / Result missing.")] = Field(
        default=[], alias="KETQUATHUCHIEN", validate_default=True
    )
    legal_bases: Annotated[list[LegalBasisRecord], _none_as([])] = Field(default=[], alias="CANCUPHAPLY")
    competent: Annotated[
        list[AgencyRecord], _non_empty("Thiếu cơ quan thực hiện / Competent agency missing.")
    ] = Field(default=[], alias="COQUANTHUCHIEN", validate_default=True)
    receiving: Annotated[list[ReceivingCode], _none_as([])] = Field(default=[], alias="NOITIEPNHAN")
    requirements: Text = Field(default="", alias="YEUCAU")
    subjects: Text = Field(default="", alias="MOTADOITUONGTHUCHIEN")
    description: Text = Field(default="", alias="MOTA")
    version: Annotated[VersionRecord, _none_as({})] = Field(
        default=None, alias="PHIENBAN", validate_default=True
    )
    process: Annotated[ProcessRecord, _none_as({})] = Field(
        default=None, alias="QUYTRINHNOIBO", validate_default=True
    )


# --- errors ------------------------------------------------------------------------------------------


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The record model a field holds, directly or as list items."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((m for a in get_args(annotation) if (m := _model_in(a)) is not None), None)


def _path(loc: tuple[int | str, ...]) -> str:
    """("CACHTHUCTHUCHIEN", 0, "KENH") → "CACHTHUCTHUCHIEN[0].KENH".

    Pydantic names a missing field by its attribute (``ways``); the report always uses the national key."""
    path = ""
    model: type[BaseModel] | None = ProcedureRecord
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
            continue
        fields = model.model_fields if model is not None else {}
        info = fields.get(part) or next((f for f in fields.values() if f.alias == part), None)
        key = info.alias if info is not None and info.alias else part
        model = _model_in(info.annotation) if info is not None else None
        path += f".{key}" if path else key
    return path


def record_errors(exc: ValidationError, procedure: str) -> list[FieldError]:
    """The import report's rows for one item, in the order pydantic found them."""
    rows = []
    for error in exc.errors(include_url=False):
        path = _path(error["loc"])
        ctx = error.get("ctx") or {}
        if error["type"] == "motcua":
            message = str(ctx["message"])
            if ctx.get("at"):
                path = f"{path}.{ctx['at']}" if path else str(ctx["at"])
        else:
            message = GENERIC_MESSAGES.get(
                error["type"], f"Giá trị không hợp lệ / Invalid value: {error['msg']}."
            )
        rows.append(FieldError(procedure, path, message))
    return rows


def record_validate(item: dict[str, Any], *, agency_codes: Collection[str] | None) -> ProcedureRecord:
    """Validate one item; raises ValidationError (see ``record_errors``)."""
    context = {"agency_codes": agency_codes} if agency_codes is not None else None
    return ProcedureRecord.model_validate(item, context=context)
