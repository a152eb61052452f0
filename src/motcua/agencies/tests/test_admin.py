"""The agency admin: tree-ordered list, history fields, scoped to the administrator's agencies."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from motcua.accounts.models import Role
from motcua.agencies.models import AgencyLevel
from motcua.testing.factories import AgencyFactory, StaffFactory, StaffRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_superuser_sees_the_tree_with_units_indented(province, culture_department, commune) -> None:
    AgencyFactory(
        code="000.01.02.H99", name="Phòng Báo chí", parent=culture_department, level=AgencyLevel.UNIT
    )
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    page = _client(root).get("/admin/agencies/agency/").content.decode()
    assert page.index("Sở Văn hóa") < page.index("Phòng Báo chí") < page.index("phường Minh Khai")
    assert "— — Phòng Báo chí" in page


def test_department_administrator_sees_only_their_subtree(province, culture_department, commune) -> None:
    admin = StaffFactory(username="qt.vh", is_staff=True)
    StaffRoleFactory(user=admin, agency=culture_department, role=Role.ADMINISTRATOR)
    client = _client(admin)
    page = client.get("/admin/agencies/agency/").content.decode()
    assert "Sở Văn hóa" in page
    assert "phường Minh Khai" not in page
    assert client.get(f"/admin/agencies/agency/{commune.pk}/change/").status_code in (302, 403, 404)
    assert client.get(f"/admin/agencies/agency/{culture_department.pk}/change/").status_code == 200


def test_staff_without_an_administrator_role_see_no_agencies(clerk_binh) -> None:
    clerk_binh.is_staff = True
    clerk_binh.save()
    response = _client(clerk_binh).get("/admin/agencies/agency/")
    assert response.status_code == 403


def test_agencies_cannot_be_deleted_in_the_admin(province) -> None:
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    assert _client(root).get(f"/admin/agencies/agency/{province.pk}/delete/").status_code == 403


def test_history_filter_lists_ended_agencies(province, commune) -> None:
    AgencyFactory(
        code="000.00.20.H99",
        name="Ủy ban nhân dân huyện Sơn Cũ",
        level=AgencyLevel.DISTRICT,
        parent=province,
        valid_from=dt.date(2008, 1, 1),
        valid_to=dt.date(2025, 6, 30),
    )
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    page = _client(root).get("/admin/agencies/agency/?current=no").content.decode()
    assert "huyện Sơn Cũ" in page
    assert "phường Minh Khai" not in page


def test_the_tax_code_is_edited_in_the_admin_and_checked(province) -> None:
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = _client(root)
    url = f"/admin/agencies/agency/{province.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="tax_code"' in page
    assert "Mã số thuế" in page or "mã số thuế" in page
    form = {
        "code": province.code,
        "name": province.name,
        "abbreviation": province.abbreviation,
        "level": province.level,
        "valid_from": "2025-07-01",
        "office_hours-TOTAL_FORMS": "0",
        "office_hours-INITIAL_FORMS": "0",
    }
    bad = client.post(url, {**form, "tax_code": "99001-0001"}).content.decode()
    assert "Mã số thuế gồm 10 chữ số" in bad
    assert "A tax code is 10 digits" in bad
    assert client.post(url, {**form, "tax_code": "9900100001-002"}).status_code == 302
    province.refresh_from_db()
    assert province.tax_code == "9900100001-002"
    assert "9900100001-002" in client.get("/admin/agencies/agency/").content.decode()  # a column of the list
