"""User and role admin: TOTP status, the require-2FA action, scoping for delegated administrators."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import Role, StaffRole, User
from motcua.testing.factories import AgencyFactory, StaffFactory, StaffRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_superuser_sees_every_user_with_their_totp_status(clerk_binh, citizen_an) -> None:
    TOTPDevice.objects.create(user=clerk_binh, name="app", confirmed=True)
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    page = _client(root).get("/admin/accounts/user/").content.decode()
    assert "binh" in page
    assert "an" in page
    assert "icon-yes" in page


def test_require_two_factor_action_sets_the_flag(clerk_binh) -> None:
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    _client(root).post(
        "/admin/accounts/user/", {"action": "require_two_factor", "_selected_action": [clerk_binh.pk]}
    )
    clerk_binh.refresh_from_db()
    assert clerk_binh.requires_2fa


def test_a_province_administrator_sees_the_staff_of_the_province_only(
    admin_giang, clerk_other_agency, specialist_chi, citizen_an
) -> None:
    other_province = AgencyFactory(code="000.00.00.H26")
    outsider = StaffFactory(username="ngoai.tinh")
    StaffRoleFactory(user=outsider, agency=other_province, role=Role.SPECIALIST)
    client = _client(admin_giang)
    page = client.get("/admin/accounts/user/").content.decode()
    assert "khanh" in page
    assert "chi" in page
    assert "ngoai.tinh" not in page
    assert client.get(f"/admin/accounts/user/{outsider.pk}/change/").status_code == 302  # "does not exist"
    roles = client.get("/admin/accounts/staffrole/").content.decode()
    assert outsider.full_name not in roles
    assert clerk_other_agency.full_name in roles


def test_a_delegated_administrator_cannot_make_anyone_superuser(admin_giang, clerk_other_agency) -> None:
    page = _client(admin_giang).get(f"/admin/accounts/user/{clerk_other_agency.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page
    assert 'name="kind"' in page


def test_a_department_administrator_does_not_see_the_commune(
    culture_department, specialist_chi, clerk_other_agency
) -> None:
    admin = StaffFactory(username="qt.vh", is_staff=True)
    StaffRoleFactory(user=admin, agency=culture_department, role=Role.ADMINISTRATOR)
    client = _client(admin)
    page = client.get("/admin/accounts/user/").content.decode()
    assert "chi" in page
    assert "khanh" not in page
    assert "khanh" not in client.get("/admin/accounts/staffrole/").content.decode()


def test_staff_without_an_administrator_role_see_nothing(clerk_binh) -> None:
    clerk_binh.is_staff = True
    clerk_binh.save()
    assert _client(clerk_binh).get("/admin/accounts/user/").status_code == 403


def test_roles_added_in_the_admin_record_who_assigned_them(admin_giang, commune) -> None:
    newcomer = StaffFactory(username="moi")
    response = _client(admin_giang).post(
        "/admin/accounts/staffrole/add/",
        {
            "user": newcomer.pk,
            "agency": commune.pk,
            "role": Role.SPECIALIST,
            "valid_from": "2025-07-01",
        },
    )
    assert response.status_code == 302
    assert StaffRole.objects.get(user=newcomer).assigned_by == admin_giang


def test_the_admin_role_form_refuses_an_agency_outside_scope(culture_department, commune) -> None:
    admin = StaffFactory(username="qt.vh", is_staff=True)
    StaffRoleFactory(user=admin, agency=culture_department, role=Role.ADMINISTRATOR)
    newcomer = StaffFactory(username="moi")
    response = _client(admin).post(
        "/admin/accounts/staffrole/add/",
        {"user": newcomer.pk, "agency": commune.pk, "role": Role.SPECIALIST, "valid_from": "2025-07-01"},
    )
    assert response.status_code == 200
    assert not User.objects.get(username="moi").staff_roles.exists()
