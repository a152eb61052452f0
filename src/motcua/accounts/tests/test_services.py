"""Account and role services."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.accounts.models import AccountKind, Role, StaffRole
from motcua.accounts.selectors import user_has_role
from motcua.accounts.services import staff_role_assign, staff_role_end, user_create_citizen
from motcua.core.errors import ApplicationError, PermissionDeniedError
from motcua.testing.factories import AgencyFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db
JULY = dt.date(2025, 7, 1)


def test_create_citizen_makes_a_citizen_account(db) -> None:
    user = user_create_citizen(
        username="tu",
        password="mat-khau-rat-dai-2026",
        full_name="Lê Văn Tư",
        national_id="001090077777",
        phone="0901234567",
    )
    assert user.kind == AccountKind.CITIZEN
    assert user.check_password("mat-khau-rat-dai-2026")


def test_create_business_needs_its_code_and_name(db) -> None:
    with pytest.raises(ApplicationError) as error:
        user_create_citizen(
            username="abc",
            password="mat-khau-rat-dai-2026",
            full_name="Lê Văn Tư",
            national_id="001090077777",
            phone="0901234567",
            kind=AccountKind.BUSINESS,
        )
    assert error.value.extra["field"] == "business_code"


def test_create_citizen_rejects_a_future_birth_year(db) -> None:
    # 4th digit 2 = born in the 2000s; year 99 → 2099, in the future.
    with pytest.raises(ApplicationError, match="tương lai"):
        user_create_citizen(
            username="x",
            password="mat-khau-rat-dai-2026",
            full_name="X",
            national_id="001299012345",
            phone="0901",
        )


def test_create_citizen_rejects_a_duplicate_id(citizen_an) -> None:
    with pytest.raises(ApplicationError) as error:
        user_create_citizen(
            username="an2",
            password="mat-khau-rat-dai-2026",
            full_name="Nguyễn Văn An",
            national_id=citizen_an.national_id,
            phone="0901234567",
        )
    assert error.value.extra["field"] == "national_id"


def test_create_citizen_rejects_a_weak_password(db) -> None:
    with pytest.raises(ApplicationError) as error:
        user_create_citizen(
            username="tu", password="123", full_name="Lê Văn Tư", national_id="001090077777", phone="0901"
        )
    assert error.value.extra["field"] == "password"


def test_an_administrator_assigns_a_role_in_scope(admin_giang, commune) -> None:
    newcomer = StaffFactory(username="moi")
    role = staff_role_assign(
        user=newcomer, agency=commune, role=Role.SPECIALIST, valid_from=JULY, assigned_by=admin_giang
    )
    assert role.assigned_by == admin_giang
    assert user_has_role(newcomer, Role.SPECIALIST, commune)


def test_a_leader_may_not_assign_roles(leader_dung, culture_department) -> None:
    newcomer = StaffFactory(username="moi")
    with pytest.raises(PermissionDeniedError):
        staff_role_assign(
            user=newcomer,
            agency=culture_department,
            role=Role.SPECIALIST,
            valid_from=JULY,
            assigned_by=leader_dung,
        )


def test_a_department_administrator_may_not_assign_in_another_agency(culture_department, commune) -> None:
    from motcua.testing.factories import StaffRoleFactory

    admin = StaffFactory(username="qt.vh")
    StaffRoleFactory(user=admin, agency=culture_department, role=Role.ADMINISTRATOR)
    with pytest.raises(PermissionDeniedError):
        staff_role_assign(
            user=StaffFactory(username="moi"),
            agency=commune,
            role=Role.LEADER,
            valid_from=JULY,
            assigned_by=admin,
        )


def test_roles_go_to_staff_accounts_only(admin_giang, citizen_an, commune) -> None:
    with pytest.raises(ApplicationError, match="cán bộ"):
        staff_role_assign(
            user=citizen_an, agency=commune, role=Role.SPECIALIST, valid_from=JULY, assigned_by=admin_giang
        )


def test_an_unknown_role_is_refused(admin_giang, commune) -> None:
    with pytest.raises(ApplicationError):
        staff_role_assign(
            user=StaffFactory(username="moi"),
            agency=commune,
            role="king",
            valid_from=JULY,
            assigned_by=admin_giang,
        )


def test_overlapping_copies_of_a_role_are_refused(admin_giang, specialist_chi, culture_department) -> None:
    with pytest.raises(ApplicationError, match="đã giữ"):
        staff_role_assign(
            user=specialist_chi,
            agency=culture_department,
            role=Role.SPECIALIST,
            valid_from=dt.date(2026, 1, 1),
            assigned_by=admin_giang,
        )


def test_a_role_in_an_agency_that_ended_is_refused(admin_giang, province) -> None:
    old = AgencyFactory(
        code="000.00.20.H99", parent=province, valid_from=dt.date(2008, 1, 1), valid_to=dt.date(2025, 6, 30)
    )
    with pytest.raises(ApplicationError, match="hiệu lực"):
        staff_role_assign(
            user=StaffFactory(username="moi"),
            agency=old,
            role=Role.LEADER,
            valid_from=JULY,
            assigned_by=admin_giang,
        )


def test_a_superuser_may_assign_the_first_administrator(province) -> None:
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    first = StaffFactory(username="qt")
    staff_role_assign(user=first, agency=province, role=Role.ADMINISTRATOR, valid_from=JULY, assigned_by=root)
    assert user_has_role(first, Role.ADMINISTRATOR, province)


def test_ending_a_role_takes_effect_the_day_after(admin_giang, specialist_chi, culture_department) -> None:
    role = StaffRole.objects.get(user=specialist_chi)
    staff_role_end(staff_role=role, last_day=dt.date(2026, 3, 1), ended_by=admin_giang)
    assert not user_has_role(specialist_chi, Role.SPECIALIST, culture_department)


def test_ending_a_role_before_it_started_is_refused(admin_giang, specialist_chi) -> None:
    role = StaffRole.objects.get(user=specialist_chi)
    with pytest.raises(ApplicationError):
        staff_role_end(staff_role=role, last_day=dt.date(1999, 1, 1), ended_by=admin_giang)


def test_only_an_administrator_may_end_a_role(leader_dung, specialist_chi) -> None:
    role = StaffRole.objects.get(user=specialist_chi)
    with pytest.raises(PermissionDeniedError):
        staff_role_end(staff_role=role, last_day=dt.date(2026, 3, 1), ended_by=leader_dung)
