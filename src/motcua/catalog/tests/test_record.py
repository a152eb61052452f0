"""The import report for each kind of bad item: pydantic's errors become (procedure, field, message) rows
named by the national keys, Vietnamese first; rules that compare fields run on well-formed items only."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from motcua.agencies.demo import load_demo_agencies
from motcua.catalog.demo import DEMO_FILE
from motcua.catalog.exchange import catalogue_import
from motcua.catalog.models import ProcedureVersion
from motcua.core.errors import ApplicationError

pytestmark = pytest.mark.django_db

BASE = "1.004873.000.00.00.H99"  # 3 working days, three channels
SAME_DAY = "2.000815.000.00.00.H99"
Mutation = Callable[[dict[str, Any]], Any]


@pytest.fixture
def demo_doc() -> dict[str, Any]:
    load_demo_agencies()
    doc: dict[str, Any] = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    return doc


def _report(doc: dict[str, Any], code: str, mutate: Mutation) -> list[tuple[str, str, str]]:
    item = copy.deepcopy(next(i for i in doc["THUTUC"] if i["MATTHCDP"] == code))
    mutate(item)
    with pytest.raises(ApplicationError) as exc:
        catalogue_import(data={"DINHDANG": doc["DINHDANG"], "THUTUC": [item]})
    assert ProcedureVersion.objects.count() == 0
    return [(e["procedure"], e["field"], e["message"]) for e in exc.value.extra["errors"]]


def _time(item: dict[str, Any], way: int = 0) -> dict[str, Any]:
    time: dict[str, Any] = item["CACHTHUCTHUCHIEN"][way]["THOIGIAN"][0]
    return time


def _step(item: dict[str, Any], i: int) -> dict[str, Any]:
    step: dict[str, Any] = item["QUYTRINHNOIBO"]["CACBUOC"][i]
    return step


CASES: list[tuple[str, Mutation, str, str]] = [
    ("TENTTHC", lambda i: i.update(TENTTHC=5), "TENTTHC", "Phải là chuỗi ký tự / Must be text."),
    ("blank name", lambda i: i.update(TENTTHC="  "), "TENTTHC", "Bắt buộc / Required."),
    (
        "national code",
        lambda i: i.update(MATTHC="1.4873"),
        "MATTHC",
        "Mã TTHC phải có dạng d.dddddd: '1.4873' / Use the form d.dddddd.",
    ),
    (
        "no field",
        lambda i: i.update(LINHVUCTHUCHIEN=[]),
        "LINHVUCTHUCHIEN",
        "Cần ít nhất một lĩnh vực / At least one field is required.",
    ),
    (
        "field name",
        lambda i: i["LINHVUCTHUCHIEN"][0].pop("TENLINHVUC"),
        "LINHVUCTHUCHIEN[0].TENLINHVUC",
        "Thiếu MALINHVUC/TENLINHVUC / Field code and name required.",
    ),
    (
        "level",
        lambda i: i.update(CAPTHUCHIEN="Cấp vũ trụ"),
        "CAPTHUCHIEN",
        "Cấp thực hiện không hợp lệ: 'Cấp vũ trụ' / Invalid level.",
    ),
    (
        "online level",
        lambda i: i.update(MUCDODVC="x"),
        "MUCDODVC",
        "Mức độ DVC phải là 'Toàn trình' hoặc 'Một phần' / Invalid online level.",
    ),
    (
        "no channel",
        lambda i: i.pop("CACHTHUCTHUCHIEN"),
        "CACHTHUCTHUCHIEN",
        "Cần ít nhất một cách thức thực hiện / At least one channel.",
    ),
    (
        "channel",
        lambda i: i["CACHTHUCTHUCHIEN"][0].update(KENH="Fax"),
        "CACHTHUCTHUCHIEN[0].KENH",
        "Kênh không hợp lệ: 'Fax' / Unknown channel.",
    ),
    (
        "no limit",
        lambda i: i["CACHTHUCTHUCHIEN"][0].update(THOIGIAN=[]),
        "CACHTHUCTHUCHIEN[0].THOIGIAN",
        "Thiếu thời hạn giải quyết / Time limit missing.",
    ),
    (
        "unit",
        lambda i: _time(i).update(DONVITINH="tuần"),
        "CACHTHUCTHUCHIEN[0].THOIGIAN[0].DONVITINH",
        "Đơn vị thời hạn không hợp lệ: 'tuần' / Unknown unit.",
    ),
    (
        "limit not a number",
        lambda i: _time(i).update(THOIGIANGIAIQUYET="abc"),
        "CACHTHUCTHUCHIEN[0].THOIGIAN[0].THOIGIANGIAIQUYET",
        "Không phải số: 'abc' / Not a number.",
    ),
    (
        "limits differ",
        lambda i: _time(i, 1).update(THOIGIANGIAIQUYET="4"),
        "CACHTHUCTHUCHIEN[1].THOIGIAN[0]",
        "Thời hạn khác nhau giữa các kênh / The time limit differs between channels.",
    ),
    (
        "fee not an object",
        lambda i: _time(i).update(PHILEPHI=["x"]),
        "CACHTHUCTHUCHIEN[0].THOIGIAN[0].PHILEPHI[0]",
        "Phải là đối tượng / Must be an object.",
    ),
    (
        "fee amount",
        lambda i: _time(i).update(PHILEPHI=[{"SOTIEN": "-1", "MOTA": "a"}]),
        "CACHTHUCTHUCHIEN[0].THOIGIAN[0].PHILEPHI[0].SOTIEN",
        "Không được âm / Must not be negative.",
    ),
    (
        "fee name",
        lambda i: _time(i).update(PHILEPHI=[{"SOTIEN": "1"}]),
        "CACHTHUCTHUCHIEN[0].THOIGIAN[0].PHILEPHI[0].MOTA",
        "Thiếu tên phí / Fee name missing.",
    ),
    (
        "cut-off",
        lambda i: i.update(GIOCHOTTRONGNGAY="3pm"),
        "GIOCHOTTRONGNGAY",
        "Giờ chốt phải có dạng HH:MM / Use HH:MM.",
    ),
    (
        "no result",
        lambda i: i.pop("KETQUATHUCHIEN"),
        "KETQUATHUCHIEN",
        "Thiếu kết quả thực hiện / Result missing.",
    ),
    (
        "no agency",
        lambda i: i.update(COQUANTHUCHIEN=[]),
        "COQUANTHUCHIEN",
        "Thiếu cơ quan thực hiện / Competent agency missing.",
    ),
    (
        "malformed agency",
        lambda i: i["COQUANTHUCHIEN"][0].update(MACOQUAN="abc"),
        "COQUANTHUCHIEN[0].MACOQUAN",
        "Mã cơ quan không đúng dạng: 'abc' / Malformed agency code.",
    ),
    (
        "receiving agency as a bare code",
        lambda i: i.update(NOITIEPNHAN=["000.00.77.H99"]),
        "NOITIEPNHAN[0]",
        "Không có cơ quan mã 000.00.77.H99 / Unknown agency code 000.00.77.H99.",
    ),
    ("version", lambda i: i.update(PHIENBAN="x"), "PHIENBAN", "Phải là đối tượng / Must be an object."),
    (
        "version number",
        lambda i: i["PHIENBAN"].update(SO="a"),
        "PHIENBAN.SO",
        "Số phiên bản phải là số nguyên / Version must be an integer.",
    ),
    (
        "no start",
        lambda i: i["PHIENBAN"].pop("HIEULUCTU"),
        "PHIENBAN.HIEULUCTU",
        "Bắt buộc (YYYY-MM-DD) / Required.",
    ),
    (
        "bad date",
        lambda i: i["PHIENBAN"].update(HIEULUCTU="2025-13-01"),
        "PHIENBAN.HIEULUCTU",
        "Ngày không hợp lệ: '2025-13-01' (YYYY-MM-DD) / Invalid date.",
    ),
    (
        "ends before it starts",
        lambda i: i["PHIENBAN"].update(HIEULUCDEN="2020-01-01"),
        "PHIENBAN.HIEULUCDEN",
        "Ngày hết hiệu lực trước ngày có hiệu lực / Ends before it starts.",
    ),
    (
        "status",
        lambda i: i["PHIENBAN"].update(TRANGTHAI="x"),
        "PHIENBAN.TRANGTHAI",
        "Trạng thái là 'published' hoặc 'draft' / Invalid status.",
    ),
    (
        "legal basis number",
        lambda i: i["CANCUPHAPLY"][0].pop("SOVANBAN"),
        "CANCUPHAPLY[0].SOVANBAN",
        "Thiếu số văn bản / Document number missing.",
    ),
    (
        "component name",
        lambda i: i["THANHPHANHOSO"][0].pop("TENGIAYTO"),
        "THANHPHANHOSO[0].TENGIAYTO",
        "Thiếu tên giấy tờ / Document name missing.",
    ),
    (
        "copy kind",
        lambda i: i["THANHPHANHOSO"][0].update(LOAIBAN="x"),
        "THANHPHANHOSO[0].LOAIBAN",
        "Loại bản không hợp lệ: 'x' / Invalid.",
    ),
    (
        "count",
        lambda i: i["THANHPHANHOSO"][0].update(SOBANCHINH="x"),
        "THANHPHANHOSO[0].SOBANCHINH",
        "Số bản phải là số nguyên / Counts must be integers.",
    ),
    (
        "role",
        lambda i: _step(i, 1).update(VAITRO="janitor"),
        "QUYTRINHNOIBO.CACBUOC[1].VAITRO",
        "Vai trò không hợp lệ: 'janitor' / Unknown role.",
    ),
    (
        "step unit",
        lambda i: _step(i, 1).update(DONVITINH="x"),
        "QUYTRINHNOIBO.CACBUOC[1].DONVITINH",
        "Đơn vị không hợp lệ: 'x' / Unknown unit.",
    ),
    (
        "budgets",
        lambda i: _step(i, 1).update(THOIGIAN="7"),
        "QUYTRINHNOIBO.CACBUOC.THOIGIAN",
        "Tổng thời gian các bước (9 ngày làm việc) không bằng thời hạn giải quyết (3) / "
        "Step budgets add up to 9 working days, not 3.",
    ),
    (
        "no steps",
        lambda i: i.update(QUYTRINHNOIBO={}),
        "QUYTRINHNOIBO.CACBUOC",
        "Quy trình nội bộ chưa có bước nào / The internal process has no steps.",
    ),
    # Error cases the hand-written parser let through or crashed on.
    (
        "flag",
        lambda i: i["THANHPHANHOSO"][0].update(BATBUOC="maybe"),
        "THANHPHANHOSO[0].BATBUOC",
        "Phải là true hoặc false / Must be true or false.",
    ),
    (
        "step order",
        lambda i: _step(i, 0).update(THUTU="first"),
        "QUYTRINHNOIBO.CACBUOC[0].THUTU",
        "Thứ tự phải là số nguyên / The order must be an integer.",
    ),
    (
        "text given as an object",
        lambda i: i.update(TRINHTUTHUCHIEN={"B1": "x"}),
        "TRINHTUTHUCHIEN",
        "Phải là chuỗi ký tự / Must be text.",
    ),
    (
        "fees not a list",
        lambda i: _time(i).update(PHILEPHI="200000"),
        "CACHTHUCTHUCHIEN[0].THOIGIAN[0].PHILEPHI",
        "Phải là danh sách / Must be a list.",
    ),
    (
        "cut-off basis on a limit in days",
        lambda i: i.update(CANCUGIOCHOTTRONGNGAY="Nghị định 23/2015/NĐ-CP"),
        "CANCUGIOCHOTTRONGNGAY",
        "Căn cứ giờ chốt chỉ dùng cho thời hạn 'Trong ngày' / A cut-off basis needs a same-day limit.",
    ),
]


@pytest.mark.parametrize(("mutate", "field", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_bad_value_is_one_row_naming_the_procedure_field_and_message(
    demo_doc: dict[str, Any], mutate: Mutation, field: str, message: str
) -> None:
    code = SAME_DAY if field == "GIOCHOTTRONGNGAY" else BASE
    assert _report(demo_doc, code, mutate) == [(code, field, message)]


def test_an_item_that_is_not_an_object_is_named_by_its_position(demo_doc: dict[str, Any]) -> None:
    with pytest.raises(ApplicationError) as exc:
        catalogue_import(data={"THUTUC": [5]})
    assert exc.value.extra["errors"] == [
        {
            "procedure": "#0",
            "field": "THUTUC",
            "message": "Mỗi thủ tục phải là một đối tượng JSON / Each item must be an object.",
        }
    ]


def test_a_missing_key_is_reported_by_its_national_name(demo_doc: dict[str, Any]) -> None:
    rows = _report(demo_doc, BASE, lambda i: [i.pop(k) for k in list(i) if k != "MATTHCDP"])
    assert [field for _, field, _ in rows] == [
        "TENTTHC",
        "LINHVUCTHUCHIEN",
        "CAPTHUCHIEN",
        "CACHTHUCTHUCHIEN",
        "KETQUATHUCHIEN",
        "COQUANTHUCHIEN",
        "PHIENBAN.HIEULUCTU",
    ]


def test_rules_over_several_fields_wait_for_a_well_formed_item(demo_doc: dict[str, Any]) -> None:
    # A limit that is not a number does not also produce "limits differ" and "budgets do not add up".
    rows = _report(demo_doc, BASE, lambda i: _time(i).update(THOIGIANGIAIQUYET="abc"))
    assert [field for _, field, _ in rows] == ["CACHTHUCTHUCHIEN[0].THOIGIAN[0].THOIGIANGIAIQUYET"]


def test_every_error_of_every_item_is_reported_together(demo_doc: dict[str, Any]) -> None:
    first = copy.deepcopy(next(i for i in demo_doc["THUTUC"] if i["MATTHCDP"] == BASE))
    second = copy.deepcopy(next(i for i in demo_doc["THUTUC"] if i["MATTHCDP"] == SAME_DAY))
    first["CAPTHUCHIEN"] = "x"
    first["PHIENBAN"]["TRANGTHAI"] = "x"
    second["QUYTRINHNOIBO"]["CACBUOC"][0]["VAITRO"] = "x"
    with pytest.raises(ApplicationError) as exc:
        catalogue_import(data={"THUTUC": [first, second]})
    assert [(e["procedure"], e["field"]) for e in exc.value.extra["errors"]] == [
        (BASE, "CAPTHUCHIEN"),
        (BASE, "PHIENBAN.TRANGTHAI"),
        (SAME_DAY, "QUYTRINHNOIBO.CACBUOC[0].VAITRO"),
    ]
    assert ProcedureVersion.objects.count() == 0


def test_a_fee_may_be_named_by_its_national_title(demo_doc: dict[str, Any]) -> None:
    item = copy.deepcopy(next(i for i in demo_doc["THUTUC"] if i["MATTHCDP"] == BASE))
    for way in item["CACHTHUCTHUCHIEN"]:
        way["THOIGIAN"][0]["PHILEPHI"] = [{"SOTIEN": "8000", "MOTA": "", "TENPHILEPHI": "Lệ phí xác nhận"}]
    catalogue_import(data={"THUTUC": [item]})
    fee = ProcedureVersion.objects.get().fees.get()
    assert (fee.name, fee.amount, fee.channel) == ("Lệ phí xác nhận", 8000, "")
