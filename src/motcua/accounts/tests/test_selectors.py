"""Each access rule of accounts.selectors, with the shared personas (conftest.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.accounts.models import Role, StaffRole
from motcua.accounts.selectors import (
    agencies_for_user,
    agency_get_for_officer,
    agency_ids_for_user,
    require_role,
    staff_member_list_for_officer,
    staff_roles_active,
    user_has_role,
    user_roles_at,
)
from motcua.agencies.models import AgencyLevel
from motcua.core.errors import NotFoundError, PermissionDeniedError
from motcua.testing.factories import AgencyFactory, StaffFactory, StaffRoleFactory

pytestmark = pytest.mark.django_db


# --- staff_roles_active ---------------------------------------------------------------------------


def test_active_roles_are_those_in_force_today(specialist_chi) -> None:
    assert [r.role for r in staff_roles_active(specialist_chi)] == [Role.SPECIALIST]


def test_a_role_not_yet_started_is_not_active(specialist_chi) -> None:
    StaffRole.objects.filter(user=specialist_chi).update(valid_from=dt.date(2026, 6, 1))
    assert not staff_roles_active(specialist_chi).exists()
    assert staff_roles_active(specialist_chi, on=dt.date(2026, 6, 1)).exists()


def test_a_role_counts_up_to_and_including_its_last_day(specialist_chi) -> None:
    StaffRole.objects.filter(user=specialist_chi).update(valid_to=dt.date(2026, 3, 2))
    assert staff_roles_active(specialist_chi).exists()
    assert not staff_roles_active(specialist_chi, on=dt.date(2026, 3, 3)).exists()


def test_a_deactivated_account_holds_no_role(specialist_chi) -> None:
    specialist_chi.is_active = False
    specialist_chi.save()
    assert not staff_roles_active(specialist_chi).exists()


def test_anonymous_visitors_hold_no_role() -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not staff_roles_active(AnonymousUser()).exists()
    assert not agencies_for_user(AnonymousUser()).exists()


# --- agencies_for_user ----------------------------------------------------------------------------


def test_a_role_covers_the_agency_and_its_units(leader_dung, culture_department) -> None:
    unit = AgencyFactory(code="000.01.02.H99", parent=culture_department, level=AgencyLevel.UNIT)
    assert set(agencies_for_user(leader_dung)) == {culture_department, unit}


def test_a_role_does_not_cover_siblings_or_parents(
    clerk_other_agency, commune, province, culture_department
) -> None:
    ids = agency_ids_for_user(user=clerk_other_agency)
    assert commune.pk in ids
    assert province.pk not in ids
    assert culture_department.pk not in ids


def test_the_commune_clerk_does_not_see_the_culture_department(
    clerk_other_agency, culture_department
) -> None:
    assert culture_department not in agencies_for_user(clerk_other_agency)


def test_an_expired_role_covers_nothing(specialist_chi, culture_department) -> None:
    StaffRole.objects.filter(user=specialist_chi).update(valid_to=dt.date(2020, 1, 1))
    assert agency_ids_for_user(user=specialist_chi) == set()


def test_roles_filter_keeps_only_the_named_roles(culture_department, commune) -> None:
    person = StaffFactory(username="hai.vai")
    StaffRoleFactory(user=person, agency=culture_department, role=Role.SPECIALIST)
    StaffRoleFactory(user=person, agency=commune, role=Role.LEADER)
    assert set(agencies_for_user(person, roles=[Role.LEADER])) == {commune}
    assert set(agencies_for_user(person)) == {commune, culture_department}


def test_a_province_administrator_covers_the_province(admin_giang, commune, culture_department) -> None:
    ids = agency_ids_for_user(user=admin_giang)
    assert {commune.pk, culture_department.pk} <= ids


def test_a_province_administrator_covers_agencies_of_the_province_not_linked_below_it(admin_giang) -> None:
    loose = AgencyFactory(code="000.00.70.H99", level=AgencyLevel.DEPARTMENT, parent=None)
    other_province = AgencyFactory(code="000.00.00.H26", level=AgencyLevel.PROVINCE)
    ids = agency_ids_for_user(admin_giang)
    assert loose.pk in ids
    assert other_province.pk not in ids


def test_a_province_leader_covers_the_tree_but_not_loose_agencies(province, commune) -> None:
    leader = StaffFactory(username="chu.tich")
    StaffRoleFactory(user=leader, agency=province, role=Role.LEADER)
    loose = AgencyFactory(code="000.00.71.H99", level=AgencyLevel.DEPARTMENT, parent=None)
    ids = agency_ids_for_user(leader)
    assert commune.pk in ids
    assert loose.pk not in ids


def test_a_department_administrator_covers_only_the_department(culture_department, commune) -> None:
    admin = StaffFactory(username="qt.vh")
    StaffRoleFactory(user=admin, agency=culture_department, role=Role.ADMINISTRATOR)
    assert set(agencies_for_user(admin)) == {culture_department}


def test_citizens_have_no_staff_scope(citizen_an) -> None:
    assert agency_ids_for_user(user=citizen_an) == set()


# --- user_has_role / require_role -----------------------------------------------------------------


def test_user_has_role_anywhere_or_over_an_agency(leader_dung, culture_department, commune) -> None:
    unit = AgencyFactory(code="000.01.02.H99", parent=culture_department, level=AgencyLevel.UNIT)
    assert user_has_role(leader_dung, Role.LEADER)
    assert user_has_role(leader_dung, Role.LEADER, culture_department)
    assert user_has_role(leader_dung, Role.LEADER, unit)
    assert not user_has_role(leader_dung, Role.LEADER, commune)
    assert not user_has_role(leader_dung, Role.SPECIALIST)


def test_require_role_passes_silently_when_held(clerk_binh, service_centre) -> None:
    require_role(clerk_binh, Role.ONE_STOP_CLERK, service_centre)


def test_require_role_refuses_another_role(clerk_binh, service_centre) -> None:
    with pytest.raises(PermissionDeniedError):
        require_role(clerk_binh, Role.LEADER, service_centre)


def test_require_role_refuses_another_agency(clerk_other_agency, service_centre) -> None:
    with pytest.raises(PermissionDeniedError):
        require_role(clerk_other_agency, Role.ONE_STOP_CLERK, service_centre)


def test_require_role_refuses_citizens(citizen_an, service_centre) -> None:
    with pytest.raises(PermissionDeniedError):
        require_role(citizen_an, Role.ONE_STOP_CLERK, service_centre)


# --- agency_get_for_officer -----------------------------------------------------------------------


def test_an_officer_gets_an_agency_in_scope(specialist_chi, culture_department) -> None:
    assert (
        agency_get_for_officer(officer=specialist_chi, agency_id=culture_department.pk) == culture_department
    )


def test_a_guessed_agency_id_outside_scope_looks_missing(clerk_other_agency, culture_department) -> None:
    with pytest.raises(NotFoundError):
        agency_get_for_officer(officer=clerk_other_agency, agency_id=culture_department.pk)
    with pytest.raises(NotFoundError):
        agency_get_for_officer(officer=clerk_other_agency, agency_id=999999)
    with pytest.raises(NotFoundError):
        agency_get_for_officer(officer=clerk_other_agency, agency_id="abc")


# --- staff_member_list_for_officer ----------------------------------------------------------------


def test_a_leader_lists_the_staff_of_their_agency(
    leader_dung, specialist_chi, clerical_em, clerk_binh, culture_department
) -> None:
    names = {
        u.username for u in staff_member_list_for_officer(officer=leader_dung, agency=culture_department)
    }
    assert names == {"chi", "dung", "em"}


def test_staff_whose_role_ended_are_not_listed(leader_dung, specialist_chi, culture_department) -> None:
    StaffRole.objects.filter(user=specialist_chi).update(valid_to=dt.date(2025, 12, 31))
    names = {
        u.username for u in staff_member_list_for_officer(officer=leader_dung, agency=culture_department)
    }
    assert "chi" not in names


def test_a_province_administrator_lists_any_agency_of_the_province(
    admin_giang, clerk_other_agency, commune
) -> None:
    names = {u.username for u in staff_member_list_for_officer(officer=admin_giang, agency=commune)}
    assert names == {"khanh"}


def test_a_specialist_may_not_list_staff(specialist_chi, culture_department) -> None:
    with pytest.raises(PermissionDeniedError):
        staff_member_list_for_officer(officer=specialist_chi, agency=culture_department)


def test_a_clerical_officer_may_not_list_staff(clerical_em, culture_department) -> None:
    with pytest.raises(PermissionDeniedError):
        staff_member_list_for_officer(officer=clerical_em, agency=culture_department)


def test_an_agency_outside_scope_looks_missing(clerk_other_agency, culture_department) -> None:
    with pytest.raises(NotFoundError):
        staff_member_list_for_officer(officer=clerk_other_agency, agency=culture_department)


def test_a_leader_may_not_list_a_sibling_department(leader_dung, province) -> None:
    building = AgencyFactory(code="000.00.03.H99", parent=province)
    with pytest.raises(NotFoundError):
        staff_member_list_for_officer(officer=leader_dung, agency=building)


def test_a_leader_whose_role_expired_may_not_list_staff(leader_dung, culture_department) -> None:
    StaffRole.objects.filter(user=leader_dung).update(valid_to=dt.date(2025, 12, 31))
    with pytest.raises(NotFoundError):
        staff_member_list_for_officer(officer=leader_dung, agency=culture_department)


# --- user_roles_at ----------------------------------------------------------------------------------


def test_roles_at_an_agency_include_those_held_above_it(leader_dung, culture_department) -> None:
    unit = AgencyFactory(parent=culture_department)
    assert user_roles_at(user=leader_dung, agency=unit) == {Role.LEADER}
    assert user_roles_at(user=leader_dung, agency=culture_department) == {Role.LEADER}


def test_roles_held_below_or_beside_an_agency_do_not_count_there(
    leader_dung, culture_department, province
) -> None:
    assert user_roles_at(user=leader_dung, agency=province) == set()


def test_a_deactivated_user_holds_no_role_where_they_act(specialist_chi, culture_department) -> None:
    specialist_chi.is_active = False
    specialist_chi.save(update_fields=["is_active"])
    assert user_roles_at(user=specialist_chi, agency=culture_department) == set()
