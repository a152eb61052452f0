"""Look-ups through the real gateway to the simulators: the CongDan record, mismatch and not found, the
purpose carried to the database, the access log, and faults (down, slow, garbage) that never raise."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from motcua.core.errors import ValidationFailedError
from motcua.dossiers.models import DossierAccessLog
from motcua.gateway.models import MessageLog
from motcua.national.business import lookup_enterprise
from motcua.national.population import lookup_citizen
from motcua.national.tests.conftest import NationalSystems, national_systems
from motcua.simulators.business import DEMO_CODE

pytestmark = pytest.mark.django_db


def test_a_citizen_is_found_with_the_national_record(national: NationalSystems, clerk_binh: Any) -> None:
    found = lookup_citizen("001090012345", purpose="HS:TEST-1", full_name="Nguyễn Văn An", actor=clerk_binh)
    assert found.status == "found"
    assert found.record is not None
    assert found.record["SoDinhDanh"] == "001090012345"
    assert found.full_name == "Nguyễn Văn An"
    assert found.birth_date is not None
    assert found.address.startswith("Số ")
    # The purpose reached the database, through the gateway (which names us as the client).
    assert national.population.lookups[-1] == {
        "SoDinhDanh": "001090012345",
        "MucDich": "HS:TEST-1",
        "client": "motcua",
    }
    assert MessageLog.objects.filter(service_code="csdldc").exists()
    row = DossierAccessLog.objects.get()
    assert row.user == clerk_binh
    assert "HS:TEST-1" in row.target
    assert "001090012345" not in row.target


def test_a_vietnamese_purpose_survives_the_headers(national: NationalSystems) -> None:
    lookup_citizen("001090012345", purpose="Tiếp nhận hồ sơ tại quầy", full_name="Nguyễn Văn An")
    assert national.population.lookups[-1]["MucDich"] == "Tiếp nhận hồ sơ tại quầy"


def test_mismatch_and_not_found_disclose_nothing(national: NationalSystems) -> None:
    mismatch = lookup_citizen("001090012345", purpose="HS:1", full_name="Nguyễn Văn Ân")
    assert mismatch.status == "mismatch"
    assert mismatch.record is None
    assert mismatch.differing == ["HoVaTen"]
    assert "không khớp" in mismatch.message
    unknown = lookup_citizen("001099999999", purpose="HS:1", full_name="Ai Đó")
    assert unknown.status == "not_found"
    assert unknown.record is None
    with pytest.raises(ValidationFailedError):
        lookup_citizen("12345", purpose="HS:1", full_name="Ai Đó")


def test_an_enterprise_by_its_code(national: NationalSystems) -> None:
    firm = lookup_enterprise(DEMO_CODE, purpose="HS:1")
    assert firm.status == "found"
    assert firm.name
    assert firm.address
    assert lookup_enterprise("0000000001", purpose="HS:1").status == "not_found"


def test_a_database_that_is_down_answers_unavailable(national: NationalSystems) -> None:
    national.stop("population")
    down = lookup_citizen("001090012345", purpose="HS:1", full_name="Nguyễn Văn An")
    assert down.status == "unavailable"
    assert down.record is None
    assert "không hoạt động" in down.message or "sự cố" in down.message
    national.restart("population")
    assert lookup_citizen("001090012345", purpose="HS:1", full_name="Nguyễn Văn An").status == "found"


def test_a_database_that_answers_garbage_answers_unavailable(national: NationalSystems) -> None:
    national.business.faults.mode = "garbage"
    broken = lookup_enterprise(DEMO_CODE, purpose="HS:1")
    assert broken.status == "unavailable"
    assert "không đúng định dạng" in broken.message
    national.population.faults.mode = "error"
    assert lookup_citizen("001090012345", purpose="HS:1", full_name="Nguyễn Văn An").status == "unavailable"


def test_a_slow_database_times_out_as_unavailable(db: None, settings: Any) -> None:
    settings.MOTCUA_NATIONAL_SYSTEMS = True
    with national_systems(timeout_seconds=0.3) as national:
        national.population.faults.hold = threading.Event()  # never answers until released
        try:
            slow = lookup_citizen("001090012345", purpose="HS:1", full_name="Nguyễn Văn An")
        finally:
            national.population.faults.hold.set()
        assert slow.status == "unavailable"
        assert "quá thời gian chờ" in slow.message


def test_our_own_timeout_when_the_gateway_itself_hangs(db: None, settings: Any) -> None:
    settings.MOTCUA_NATIONAL_SYSTEMS = True
    settings.MOTCUA_NATIONAL_TIMEOUT_SECONDS = 0.3
    with national_systems(timeout_seconds=5) as national:
        national.population.faults.hold = threading.Event()
        try:
            slow = lookup_citizen("001090012345", purpose="HS:1", full_name="Nguyễn Văn An")
        finally:
            national.population.faults.hold.set()
        assert slow.status == "unavailable"
