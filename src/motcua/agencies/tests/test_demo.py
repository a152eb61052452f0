"""The demo province tỉnh Minh Sơn loads completely and idempotently."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.agencies.demo import load_demo_agencies
from motcua.agencies.models import Agency, AgencyLevel, OfficeHours
from motcua.agencies.selectors import agency_current_successor

pytestmark = pytest.mark.django_db


def test_demo_agencies_load_twice_without_change() -> None:
    load_demo_agencies()
    before = (Agency.objects.count(), OfficeHours.objects.count())
    snapshot = list(Agency.objects.values().order_by("code"))
    load_demo_agencies()
    assert (Agency.objects.count(), OfficeHours.objects.count()) == before
    assert list(Agency.objects.values().order_by("code")) == snapshot


def test_demo_province_has_the_expected_shape() -> None:
    load_demo_agencies()
    province = Agency.objects.get(code="000.00.00.H99")
    assert province.level == AgencyLevel.PROVINCE
    assert province.abbreviation == "UBND"
    centre = Agency.objects.get(code="000.00.09.H99")
    assert centre.is_service_centre
    assert centre.abbreviation == "TTPVHCC"
    assert Agency.objects.get(code="000.01.02.H99").parent.code == "000.00.02.H99"  # type: ignore[union-attr]
    assert Agency.objects.get(code="000.01.31.H99").parent.code == "000.00.31.H99"  # type: ignore[union-attr]
    assert Agency.objects.get(code="000.00.32.H99").valid_from == dt.date(2025, 7, 1)
    assert all(a.address and a.phone for a in Agency.objects.all())


def test_demo_district_is_history_with_a_successor() -> None:
    load_demo_agencies()
    district = Agency.objects.get(code="000.00.20.H99")
    assert district.level == AgencyLevel.DISTRICT
    assert district.valid_to == dt.date(2025, 6, 30)
    assert district.successor.code == "000.00.31.H99"  # type: ignore[union-attr]
    assert district.legal_basis == "Nghị quyết 1656/NQ-UBTVQH15 (giả định cho dữ liệu mẫu)"
    old_unit = Agency.objects.get(code="000.01.20.H99")
    assert agency_current_successor(old_unit, on=dt.date(2026, 1, 1)).code == "000.01.31.H99"


def test_every_service_centre_has_office_hours_and_the_province_opens_saturday() -> None:
    load_demo_agencies()
    for centre in Agency.objects.filter(is_service_centre=True):
        weekdays = set(centre.office_hours.values_list("weekday", flat=True))
        assert {0, 1, 2, 3, 4} <= weekdays, centre.code
    province_saturday = OfficeHours.objects.filter(agency__code="000.00.09.H99", weekday=5)
    assert [(h.opens_at, h.closes_at) for h in province_saturday] == [(dt.time(7, 30), dt.time(11, 30))]
    assert not OfficeHours.objects.filter(agency__code="000.01.31.H99", weekday=5).exists()
    monday = OfficeHours.objects.filter(agency__code="000.01.31.H99", weekday=0).order_by("opens_at")
    assert [(h.opens_at, h.closes_at) for h in monday] == [
        (dt.time(7, 30), dt.time(11, 30)),
        (dt.time(13, 30), dt.time(17, 0)),
    ]


def test_every_demo_agency_has_a_well_formed_tax_code() -> None:
    from motcua.agencies.models import tax_code_validator

    load_demo_agencies()
    codes = list(Agency.objects.values_list("tax_code", flat=True))
    for code in codes:
        tax_code_validator(code)
    assert len(set(codes)) == len(codes)
    assert Agency.objects.get(code="000.01.31.H99").tax_code == "9900310001-001"  # a dependent unit
