from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction

from motcua.core.testing import run_concurrently
from motcua.dossiers.codes import dossier_code_allocate, format_dossier_code


def test_code_format_follows_agency_date_sequence() -> None:
    assert format_dossier_code(agency_code="000.00.09.H99", day=dt.date(2026, 9, 30), sequence=12) == (
        "000.00.09.H99-260930-0012"
    )


@pytest.mark.django_db
def test_sequence_restarts_each_day_and_per_agency(service_centre, commune) -> None:
    day = dt.date(2025, 3, 3)
    assert dossier_code_allocate(agency=service_centre, day=day).endswith("-0001")
    assert dossier_code_allocate(agency=service_centre, day=day).endswith("-0002")
    assert dossier_code_allocate(agency=commune, day=day).endswith("-0001")
    assert dossier_code_allocate(agency=service_centre, day=day + dt.timedelta(days=1)).endswith("-0001")


@pytest.mark.django_db(transaction=True)
def test_concurrent_intake_never_duplicates_a_code(service_centre) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL (SQLite serialises writers)")
    day = dt.date(2025, 3, 3)
    codes: list[str] = []
    lock = threading.Lock()

    def worker(_index: int) -> None:
        for _ in range(25):
            with transaction.atomic():
                code = dossier_code_allocate(agency=service_centre, day=day)
            with lock:
                codes.append(code)

    assert not run_concurrently(worker, threads=8)
    assert len(codes) == 200
    assert len(set(codes)) == 200
    assert sorted(int(c.rsplit("-", 1)[1]) for c in codes) == list(range(1, 201))


@pytest.mark.django_db(transaction=True)
def test_concurrent_online_submissions_get_distinct_gapless_codes(
    bulletin_version, citizen_an, settings, tmp_path
) -> None:
    """The submission path itself (code taken last, in one statement on PostgreSQL), not only the
    allocator: 6 threads × 10 submissions to one agency on one day."""
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL (SQLite serialises writers)")
    from motcua.dossiers import services
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.tests.conftest import pdf

    settings.MEDIA_ROOT = tmp_path
    components = list(bulletin_version.components.order_by("order"))

    def worker(index: int) -> None:
        for n in range(10):
            services.dossier_submit(
                data=services.SubmissionData(
                    version=bulletin_version,
                    applicant=services.ApplicantData(name="Nguyễn Văn An", id_number="001090012345"),
                    files={components[0].pk: [pdf()], components[1].pk: [pdf("b.pdf")]},
                ),
                user=citizen_an,
                idempotency_key=f"t{index}-{n}",
            )

    errors = run_concurrently(worker, threads=6)
    assert not errors, errors
    codes = list(Dossier.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 60
    assert sorted(int(c.rsplit("-", 1)[1]) for c in codes) == list(range(1, 61))
