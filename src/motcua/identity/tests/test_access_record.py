"""The record of every processing of a citizen's personal data (Law 91/2025/QH15, Decree 356/2025):
the function other apps call, and staff reads of dossiers fed into it through the dossiers port."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from motcua.dossiers.models import Dossier, DossierAccessLog
from motcua.dossiers.tests.conftest import pdf
from motcua.identity.models import AccessorKind, PersonalDataAccess
from motcua.identity.services import record_personal_data_access

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def submitted(citizen_an, bulletin_version, frozen) -> Dossier:  # type: ignore[no-untyped-def]
    components = list(bulletin_version.components.order_by("order"))
    payload = {
        "procedure": bulletin_version.procedure.local_code,
        "applicant": {"name": "Nguyễn Văn An", "id_number": "001090012345", "phone": "0912345678"},
    }
    files = {f"component_{c.pk}": pdf(f"tp{c.pk}.pdf") for c in components if c.required}
    response = _client(citizen_an).post("/api/v1/dossiers", {"data": json.dumps(payload), **files})
    assert response.status_code == 201, response.content
    return Dossier.objects.get(code=response.json()["code"])


def test_the_function_records_who_when_what_and_why(citizen_an, frozen) -> None:  # type: ignore[no-untyped-def]
    row = record_personal_data_access(
        subject_id_number="001090012345",
        accessor_kind="national_db",
        accessor="CSDLQG về dân cư (qua LGSP)",
        data="Họ tên, ngày sinh, nơi thường trú",
        purpose="HS:H99.01-250303-0001",
    )
    row.refresh_from_db()
    assert (row.accessor_kind, row.purpose) == (AccessorKind.NATIONAL_DB, "HS:H99.01-250303-0001")
    assert row.at is not None
    with pytest.raises(ValueError, match="accessor_kind"):
        record_personal_data_access(
            subject_id_number="001090012345", accessor_kind="anyone", accessor="x", data="x", purpose="x"
        )


def test_a_staff_read_on_the_dossier_page_is_recorded_exactly_once(submitted, clerk_binh) -> None:  # type: ignore[no-untyped-def]
    PersonalDataAccess.objects.all().delete()
    DossierAccessLog.objects.all().delete()
    response = _client(clerk_binh).get(f"/mot-cua/ho-so/{submitted.code}/")
    assert response.status_code == 200
    row = PersonalDataAccess.objects.get()
    assert row.subject_id_number == "001090012345"
    assert row.accessor_kind == AccessorKind.STAFF
    assert row.user == clerk_binh
    assert "Trần Văn Bình" in row.accessor
    assert row.purpose == f"HS:{submitted.code}"
    # The dossier access log keeps its own row, one as well.
    assert DossierAccessLog.objects.count() == 1


def test_the_applicant_reading_their_own_dossier_is_not_a_processing_by_others(submitted, citizen_an) -> None:  # type: ignore[no-untyped-def]
    PersonalDataAccess.objects.all().delete()
    assert _client(citizen_an).get(f"/ho-so/{submitted.code}/").status_code == 200
    assert not PersonalDataAccess.objects.exists()


def test_a_submitter_acting_for_the_applicant_is_a_subject_too(submitted, clerk_binh) -> None:  # type: ignore[no-untyped-def]
    Dossier.objects.filter(pk=submitted.pk).update(submitter_id_number="001190054321")
    PersonalDataAccess.objects.all().delete()
    _client(clerk_binh).get(f"/mot-cua/ho-so/{submitted.code}/")
    assert set(PersonalDataAccess.objects.values_list("subject_id_number", flat=True)) == {
        "001090012345",
        "001190054321",
    }


def test_a_file_download_by_staff_names_the_file(submitted, clerk_binh) -> None:  # type: ignore[no-untyped-def]
    stored = submitted.components.filter(files__isnull=False).first().files.first()
    PersonalDataAccess.objects.all().delete()
    response = _client(clerk_binh).get(f"/mot-cua/ho-so/{submitted.code}/tep/{stored.pk}/")
    assert response.status_code == 200
    row = PersonalDataAccess.objects.get()
    assert stored.original_name in row.data
