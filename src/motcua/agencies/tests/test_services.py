"""Creating agencies and merging them (2025 reform: districts end, communes carry on)."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.agencies.models import AgencyLevel
from motcua.agencies.selectors import agency_current_successor
from motcua.agencies.services import agency_create, agency_merge
from motcua.core.errors import ApplicationError
from motcua.testing.factories import AgencyFactory

pytestmark = pytest.mark.django_db
BASIS = "Nghị quyết 1656/NQ-UBTVQH15 (giả định cho dữ liệu mẫu)"


def test_create_adds_a_unit_under_its_department(culture_department) -> None:
    unit = agency_create(
        code="000.01.02.h99",
        name="Phòng Quản lý báo chí, xuất bản",
        level=AgencyLevel.UNIT,
        parent=culture_department,
        valid_from=dt.date(2025, 7, 1),
    )
    assert unit.code == "000.01.02.H99"
    assert unit.parent == culture_department


def test_create_rejects_a_used_code(culture_department, province) -> None:
    with pytest.raises(ApplicationError, match="đã tồn tại"):
        agency_create(
            code=culture_department.code,
            name="Trùng",
            level=AgencyLevel.DEPARTMENT,
            parent=province,
            valid_from=dt.date(2025, 7, 1),
        )


def test_create_rejects_a_malformed_code(province) -> None:
    with pytest.raises(ApplicationError) as error:
        agency_create(
            code="00.00.02.H99",
            name="Sai mã",
            level=AgencyLevel.DEPARTMENT,
            parent=province,
            valid_from=dt.date(2025, 7, 1),
        )
    assert error.value.extra["field"] == "code"


def test_create_needs_a_parent_below_province_level(province) -> None:
    with pytest.raises(ApplicationError, match="cấp trên"):
        agency_create(
            code="000.00.50.H99", name="Mồ côi", level=AgencyLevel.UNIT, valid_from=dt.date(2025, 7, 1)
        )


def test_create_rejects_a_parent_of_another_province(province) -> None:
    with pytest.raises(ApplicationError, match="cùng tỉnh"):
        agency_create(
            code="000.00.02.H26",
            name="Sở khác tỉnh",
            level=AgencyLevel.DEPARTMENT,
            parent=province,
            valid_from=dt.date(2025, 7, 1),
        )


def test_create_rejects_a_parent_that_did_not_exist_yet(province) -> None:
    with pytest.raises(ApplicationError, match="hiệu lực"):
        agency_create(
            code="000.00.51.H99",
            name="Quá sớm",
            level=AgencyLevel.DEPARTMENT,
            parent=province,
            valid_from=dt.date(2020, 1, 1),
        )


def _district(province):  # type: ignore[no-untyped-def]
    return AgencyFactory(
        code="000.00.20.H99",
        name="Ủy ban nhân dân huyện Sơn Cũ",
        level=AgencyLevel.DISTRICT,
        parent=province,
        valid_from=dt.date(2008, 1, 1),
    )


def test_merge_ends_agencies_the_day_before_and_names_the_successor(province, commune) -> None:
    district = _district(province)
    (merged,) = agency_merge(
        agencies=[district], into=commune, on_date=dt.date(2025, 7, 1), legal_basis=BASIS
    )
    merged.refresh_from_db()
    assert merged.valid_to == dt.date(2025, 6, 30)
    assert merged.successor == commune
    assert merged.legal_basis == BASIS
    assert agency_current_successor(merged) == commune


def test_merge_needs_a_legal_basis(province, commune) -> None:
    with pytest.raises(ApplicationError, match="căn cứ"):
        agency_merge(
            agencies=[_district(province)], into=commune, on_date=dt.date(2025, 7, 1), legal_basis=" "
        )


def test_merge_into_itself_is_refused(commune) -> None:
    with pytest.raises(ApplicationError, match="chính nó"):
        agency_merge(agencies=[commune], into=commune, on_date=dt.date(2026, 1, 1), legal_basis=BASIS)


def test_merge_into_an_ended_agency_is_refused(province, commune) -> None:
    ended = AgencyFactory(code="000.00.60.H99", parent=province, valid_to=dt.date(2025, 12, 31))
    with pytest.raises(ApplicationError, match="tiếp nhận"):
        agency_merge(agencies=[commune], into=ended, on_date=dt.date(2026, 1, 1), legal_basis=BASIS)


def test_merge_of_an_agency_already_ended_earlier_is_refused(province, commune) -> None:
    gone = AgencyFactory(
        code="000.00.61.H99", parent=province, valid_from=dt.date(2008, 1, 1), valid_to=dt.date(2020, 1, 1)
    )
    with pytest.raises(ApplicationError, match="chấm dứt"):
        agency_merge(agencies=[gone], into=commune, on_date=dt.date(2025, 7, 1), legal_basis=BASIS)


def test_merge_that_would_make_a_loop_is_refused(province, commune) -> None:
    # Inconsistent data (a successor named without an end date) must not turn into a loop.
    other = AgencyFactory(code="000.00.62.H99", parent=province, successor=commune)
    with pytest.raises(ApplicationError, match="vòng"):
        agency_merge(agencies=[commune], into=other, on_date=dt.date(2026, 1, 1), legal_basis=BASIS)
    commune.refresh_from_db()
    assert commune.valid_to is None
