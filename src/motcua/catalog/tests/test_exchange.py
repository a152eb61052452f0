"""Catalogue import/export: the demo file, round trips, idempotency, and every kind of bad input."""

from __future__ import annotations

import copy
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from motcua.agencies.demo import load_demo_agencies
from motcua.catalog.demo import DEMO_FILE, load_demo_catalogue
from motcua.catalog.exchange import catalogue_export, catalogue_import
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.catalog.selectors import procedure_version_search
from motcua.core.errors import ApplicationError

pytestmark = pytest.mark.django_db


@pytest.fixture
def agencies() -> None:
    load_demo_agencies()


@pytest.fixture
def demo_doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    return doc


def _one(doc: dict[str, Any], code: str) -> dict[str, Any]:
    return {
        "DINHDANG": doc["DINHDANG"],
        "THUTUC": [copy.deepcopy(i) for i in doc["THUTUC"] if i["MATTHCDP"] == code][:1],
    }


def test_the_demo_catalogue_loads_at_least_30_procedures_on_both_levels(agencies: None) -> None:
    report = load_demo_catalogue()
    assert report.procedures >= 30
    levels = set(ProcedureVersion.objects.values_list("level", flat=True))
    assert {"province", "commune"} <= levels
    names = " ".join(ProcedureVersion.objects.values_list("name", flat=True))
    assert "trạm thu phát sóng" in names
    assert "xuất bản bản tin" in names
    assert all(v.steps.exists() for v in ProcedureVersion.objects.all())


def test_reimporting_the_same_file_changes_nothing(agencies: None) -> None:
    load_demo_catalogue()
    again = load_demo_catalogue()
    assert again.versions_created == 0
    assert again.versions_updated == 0


def test_export_then_import_round_trips(agencies: None) -> None:
    load_demo_catalogue()
    exported = catalogue_export()
    report = catalogue_import(data=json.dumps(exported))
    assert report.versions_unchanged == len(exported["THUTUC"])
    assert catalogue_export() == exported


def test_a_procedure_keeps_its_older_version(agencies: None) -> None:
    load_demo_catalogue()
    versions = ProcedureVersion.objects.filter(procedure__local_code="1.013225.000.00.00.H99").order_by(
        "number"
    )
    assert [v.number for v in versions] == [1, 2]
    assert str(versions[0].effective_to) == "2025-06-30"
    assert versions[0].competent_agency.code == "000.00.20.H99"  # the abolished district


def _errors(exc: pytest.ExceptionInfo[ApplicationError]) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = exc.value.extra["errors"]
    return errors


def test_malformed_json_is_refused() -> None:
    with pytest.raises(ApplicationError, match="JSON"):
        catalogue_import(data=b"{not json")


def test_budgets_that_do_not_add_up_name_the_procedure_and_field(agencies: None, demo_doc) -> None:
    doc = _one(demo_doc, "1.004873.000.00.00.H99")
    doc["THUTUC"][0]["QUYTRINHNOIBO"]["CACBUOC"][1]["THOIGIAN"] = "7"
    with pytest.raises(ApplicationError) as exc:
        catalogue_import(data=doc)
    errors = _errors(exc)
    assert errors[0]["procedure"] == "1.004873.000.00.00.H99"
    assert errors[0]["field"] == "QUYTRINHNOIBO.CACBUOC.THOIGIAN"
    assert Procedure.objects.count() == 0


def test_an_unknown_agency_code_is_refused(agencies: None, demo_doc) -> None:
    doc = _one(demo_doc, "1.004873.000.00.00.H99")
    doc["THUTUC"][0]["COQUANTHUCHIEN"][0]["MACOQUAN"] = "000.00.77.H99"
    with pytest.raises(ApplicationError) as exc:
        catalogue_import(data=doc)
    assert any(
        e["field"] == "COQUANTHUCHIEN[0].MACOQUAN" and "000.00.77.H99" in e["message"] for e in _errors(exc)
    )


def test_a_bad_national_code_is_refused(agencies: None, demo_doc) -> None:
    doc = _one(demo_doc, "1.004873.000.00.00.H99")
    doc["THUTUC"][0]["MATTHC"] = "1.4873"
    with pytest.raises(ApplicationError) as exc:
        catalogue_import(data=doc)
    assert any(e["field"] == "MATTHC" for e in _errors(exc))


def test_overlapping_versions_are_refused(agencies: None, demo_doc) -> None:
    doc = _one(demo_doc, "1.004873.000.00.00.H99")
    second = copy.deepcopy(doc["THUTUC"][0])
    second["PHIENBAN"] = {**second["PHIENBAN"], "SO": 2, "HIEULUCTU": "2025-10-01"}
    doc["THUTUC"].append(second)
    with pytest.raises(ApplicationError) as exc:
        catalogue_import(data=doc)
    assert any(e["field"] == "PHIENBAN.HIEULUCTU" for e in _errors(exc))
    assert ProcedureVersion.objects.count() == 0


def test_one_bad_item_means_nothing_is_imported(agencies: None, demo_doc) -> None:
    doc = copy.deepcopy(demo_doc)
    doc["THUTUC"][5]["CAPTHUCHIEN"] = "Cấp vũ trụ"
    with pytest.raises(ApplicationError):
        catalogue_import(data=doc)
    assert ProcedureVersion.objects.count() == 0


def test_missing_fields_are_all_reported(agencies: None) -> None:
    with pytest.raises(ApplicationError) as exc:
        catalogue_import(data={"THUTUC": [{"MATTHCDP": "X.1"}]})
    fields = {e["field"] for e in _errors(exc)}
    assert {
        "TENTTHC",
        "LINHVUCTHUCHIEN",
        "CAPTHUCHIEN",
        "CACHTHUCTHUCHIEN",
        "COQUANTHUCHIEN",
        "PHIENBAN.HIEULUCTU",
    } <= fields


def test_search_finds_vietnamese_with_or_without_diacritics(agencies: None) -> None:
    load_demo_catalogue()
    plain = {v.name for v in procedure_version_search(query="dang ky khai sinh")}
    marked = {v.name for v in procedure_version_search(query="Đăng ký khai sinh")}
    assert "Đăng ký khai sinh" in plain
    assert plain == marked


def test_import_command_reports_errors_and_exits_non_zero(agencies: None, demo_doc, tmp_path) -> None:
    doc = _one(demo_doc, "1.004873.000.00.00.H99")
    doc["THUTUC"][0]["QUYTRINHNOIBO"]["CACBUOC"][1]["VAITRO"] = "janitor"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("catalogue", "import", str(path), stderr=err)
    assert "VAITRO" in err.getvalue()


def test_export_command_writes_a_file(agencies: None, tmp_path) -> None:
    load_demo_catalogue()
    out = tmp_path / "catalogue.json"
    call_command("catalogue", "export", "--output", str(out), stdout=StringIO())
    assert len(json.loads(out.read_text(encoding="utf-8"))["THUTUC"]) == ProcedureVersion.objects.count()


@pytest.mark.django_db
def test_an_english_caller_does_not_make_every_version_look_changed():
    """Review of issue 10: the format's labels are Vietnamese whatever the thread's language."""
    from django.utils import translation

    load_demo_agencies()
    load_demo_catalogue()
    with translation.override("en"):
        report = load_demo_catalogue()
    assert report.versions_updated == 0
    assert report.versions_created == 0
    assert report.versions_unchanged > 30
