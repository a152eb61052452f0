"""Each access rule of accounts.selectors, with the shared personas."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.accounts.models import StaffRole
from motcua.accounts.selectors import agency_ids_for_user, staff_member_list_for_officer
from motcua.core.errors import NotFoundError, PermissionDeniedError
from motcua.testing.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def test_a_role_covers_the_agency_and_its_units(leader_dung, culture_department) -> None:
    unit = AgencyFactory(code="000.01.02.H99", parent=culture_department, level="unit")
    assert {culture_department.pk, unit.pk} <= agency_ids_for_user(user=leader_dung)


def test_a_role_does_not_cover_siblings_or_parents(
    clerk_other_agency, commune, province, culture_department
) -> None:
    ids = agency_ids_for_user(user=clerk_other_agency)
    assert commune.pk in ids
    assert province.pk not in ids
    assert culture_department.pk not in ids


def test_an_expired_role_covers_nothing(specialist_chi, culture_department) -> None:
    StaffRole.objects.filter(user=specialist_chi).update(valid_to=dt.date(2020, 1, 1))
    assert agency_ids_for_user(user=specialist_chi) == set()


def test_a_province_administrator_covers_the_province(admin_giang, commune, culture_department) -> None:
    ids = agency_ids_for_user(user=admin_giang)
    assert {commune.pk, culture_department.pk} <= ids


def test_a_leader_lists_the_staff_of_their_agency(leader_dung, specialist_chi, culture_department) -> None:
    names = {
        u.username for u in staff_member_list_for_officer(officer=leader_dung, agency=culture_department)
    }
    assert {"chi", "dung"} <= names


def test_a_specialist_may_not_list_staff(specialist_chi, culture_department) -> None:
    with pytest.raises(PermissionDeniedError):
        staff_member_list_for_officer(officer=specialist_chi, agency=culture_department)


def test_an_agency_outside_scope_looks_missing(clerk_other_agency, culture_department) -> None:
    with pytest.raises(NotFoundError):
        staff_member_list_for_officer(officer=clerk_other_agency, agency=culture_department)


def test_citizens_have_no_staff_scope(citizen_an) -> None:
    assert agency_ids_for_user(user=citizen_an) == set()
