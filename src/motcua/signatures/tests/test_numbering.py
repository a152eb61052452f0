"""Document numbers are never used twice (issue 9 point 4): a number typed by hand at issue is reserved in
the agency's register, so the register never hands it out again, and a taken number is refused."""

from __future__ import annotations

import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from motcua.core.errors import ApplicationError
from motcua.core.testing import run_concurrently
from motcua.dossiers import processing, services
from motcua.dossiers.models import Dossier, TaskStatus
from motcua.dossiers.tests.conftest import pdf
from motcua.signatures.models import DocumentNumber
from motcua.signatures.numbering import document_number_allocate, document_number_reserve

pytestmark = pytest.mark.django_db


def _approved(version, citizen, clerk, specialist, leader) -> Dossier:  # type: ignore[no-untyped-def]
    components = list(version.components.order_by("order"))
    dossier = services.dossier_submit(
        data=services.SubmissionData(
            version=version,
            applicant=services.ApplicantData(name="Nguyễn Văn An", id_number="001090012345"),
            files={components[0].pk: [pdf()], components[1].pk: [pdf("b.pdf")]},
        ),
        user=citizen,
    )
    dossier = services.dossier_receive(dossier=dossier, clerk=clerk)
    for user in (specialist, leader):
        processing.task_complete(task=dossier.tasks.get(status=TaskStatus.ACTIVE), user=user)
    return Dossier.objects.get(pk=dossier.pk)


def _issue(dossier: Dossier, clerical: object, number: str = "") -> str:
    processing.task_complete(
        task=dossier.tasks.get(status=TaskStatus.ACTIVE), user=clerical, result_number=number
    )
    dossier.refresh_from_db()
    return dossier.result_number


@pytest.fixture
def approved(bulletin_version, citizen_an, clerk_binh, specialist_chi, leader_dung, frozen):  # type: ignore[no-untyped-def]
    return lambda: _approved(bulletin_version, citizen_an, clerk_binh, specialist_chi, leader_dung)


def test_a_typed_number_is_reserved_and_the_register_skips_it(approved, clerical_em) -> None:
    assert _issue(approved(), clerical_em, "2/GP-SVHTTDL") == "02/GP-SVHTTDL"
    assert [_issue(approved(), clerical_em) for _ in range(3)] == [
        "01/GP-SVHTTDL",
        "03/GP-SVHTTDL",
        "04/GP-SVHTTDL",
    ]
    assert DocumentNumber.objects.get(value=2).typed is True


def test_a_typed_number_already_used_is_refused_and_nothing_is_issued(approved, clerical_em) -> None:
    assert _issue(approved(), clerical_em) == "01/GP-SVHTTDL"
    second = approved()
    for taken in ("01/GP-SVHTTDL", " 1 / GP-SVHTTDL "):
        with pytest.raises(ApplicationError) as caught:
            _issue(second, clerical_em, taken)
        assert caught.value.extra["field"] == "result_number"
        assert "đã được sử dụng" in caught.value.message
    second.refresh_from_db()
    assert second.status == "approved"
    assert second.result_number == ""
    assert _issue(second, clerical_em, "01/GP-KHAC") == "01/GP-KHAC"  # another symbol is another register


@pytest.mark.parametrize("typed", ["GP-SVHTTDL", "0/GP-SVHTTDL", "20 GP", "20/GP SVHTTDL"])
def test_a_malformed_number_is_refused(approved, clerical_em, typed) -> None:
    with pytest.raises(ApplicationError) as caught:
        _issue(approved(), clerical_em, typed)
    assert caught.value.extra["field"] == "result_number"


def test_the_desk_shows_the_refusal_of_a_taken_number(approved, clerical_em) -> None:
    from django.test import Client

    _issue(approved(), clerical_em, "20/GP-SVHTTDL")
    dossier = approved()
    client = Client()
    client.force_login(clerical_em)
    page = client.post(
        f"/mot-cua/ho-so/{dossier.code}/complete/",
        {"task": dossier.tasks.get(status=TaskStatus.ACTIVE).pk, "result_number": "20/GP-SVHTTDL"},
        follow=True,
    ).content.decode()
    assert "Số 20/GP-SVHTTDL đã được sử dụng" in page
    dossier.refresh_from_db()
    assert dossier.status == "approved"


def test_the_demo_register_knows_the_numbers_typed_by_hand() -> None:
    from motcua.agencies.models import Agency

    call_command("demo", stdout=StringIO())
    issued = sorted(Dossier.objects.exclude(result_number="").values_list("result_number", flat=True))
    assert issued == ["20/GP-SVHTTDL", "21/GP-SVHTTDL"]
    culture = Dossier.objects.exclude(result_number="").first().competent_agency  # type: ignore[union-attr]
    year = DocumentNumber.objects.get(value=20).year
    numbers = {document_number_allocate(agency=culture, year=year, document_type="GP") for _ in range(22)}
    assert "20/GP-SVHTTDL" not in numbers
    assert "21/GP-SVHTTDL" not in numbers
    assert len(numbers) == 22
    assert isinstance(culture, Agency)


@pytest.mark.django_db(transaction=True)
def test_concurrent_typed_and_automatic_numbers_never_collide(culture_department) -> None:
    """6 threads type 05/GP…, 6 threads take 10 automatic numbers each: 05 is used once (typed, or taken by
    the register first and then refused to every typist), every number is distinct and none is skipped
    (PostgreSQL; SQLite serialises)."""
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL (SQLite serialises writers)")
    symbol = f"GP-{culture_department.abbreviation or culture_department.code}"
    typed: list[str] = []
    automatic: list[str] = []
    refused: list[str] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        if index % 2 == 0:
            try:
                with transaction.atomic():
                    number = document_number_reserve(
                        agency=culture_department, year=2026, number=f"5/{symbol}"
                    )
            except ApplicationError as exc:
                with lock:
                    refused.append(exc.message)
            else:
                with lock:
                    typed.append(number)
            return
        for _ in range(10):
            with transaction.atomic():
                number = document_number_allocate(agency=culture_department, year=2026, document_type="GP")
            with lock:
                automatic.append(number)

    errors = run_concurrently(worker, threads=12)
    assert not errors, errors
    assert typed in ([], [f"05/{symbol}"])
    assert len(typed) + len(refused) == 6
    values = sorted(int(n.split("/", 1)[0]) for n in typed + automatic)
    assert values == list(range(1, 61 + len(typed)))
    assert DocumentNumber.objects.count() == len(values)


def test_the_migration_backfills_the_ledger_from_registers_and_typed_numbers(approved, clerical_em) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "motcua.signatures.migrations.0004_signing_authorisation_numbers_ledger_result_draft"
    )
    _issue(approved(), clerical_em)  # 01 from the register
    _issue(approved(), clerical_em, "20/GP-SVHTTDL")  # typed, as the demo did before the ledger
    DocumentNumber.objects.all().delete()
    migration.ledger_fill(apps, None)
    assert sorted(DocumentNumber.objects.values_list("value", "typed")) == [(1, False), (20, True)]
