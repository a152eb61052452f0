"""Demo accounts load idempotently and match the story told in the README."""

from __future__ import annotations

import pytest

from motcua.accounts.demo import load_demo_users
from motcua.accounts.models import AccountKind, Role, StaffRole, User
from motcua.accounts.selectors import user_has_role
from motcua.agencies.demo import load_demo_agencies
from motcua.agencies.models import Agency

pytestmark = pytest.mark.django_db


def test_demo_users_load_twice_without_change(monkeypatch) -> None:
    monkeypatch.setenv("MOTCUA_DEMO_PASSWORD", "mat-khau-demo-thu")
    load_demo_agencies()
    first = load_demo_users()
    counts = (User.objects.count(), StaffRole.objects.count())
    second = load_demo_users()
    assert (User.objects.count(), StaffRole.objects.count()) == counts
    assert first == second
    assert all(login.password == "mat-khau-demo-thu" for login in first)
    assert User.objects.get(username="binh").check_password("mat-khau-demo-thu")


def test_demo_roles_are_where_the_brief_says() -> None:
    load_demo_agencies()
    logins = {login.username: login for login in load_demo_users()}
    expected = {
        "binh": (Role.ONE_STOP_CLERK, "000.00.09.H99"),
        "tiepnhan.minhkhai": (Role.ONE_STOP_CLERK, "000.01.31.H99"),
        "chi": (Role.SPECIALIST, "000.00.02.H99"),
        "chuyenvien.xd": (Role.SPECIALIST, "000.00.03.H99"),
        "dung": (Role.LEADER, "000.00.02.H99"),
        "lanhdao.xd": (Role.LEADER, "000.00.03.H99"),
        "em": (Role.CLERICAL_OFFICER, "000.00.02.H99"),
        "ioc": (Role.IOC_VIEWER, "000.00.00.H99"),
        "admin": (Role.ADMINISTRATOR, "000.00.00.H99"),
    }
    for username, (role, code) in expected.items():
        agency = Agency.objects.get(code=code)
        assert user_has_role(User.objects.get(username=username), role, agency), username
        assert logins[username].description.startswith(f"{Role(role).label} @ {agency.name}")
    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.is_staff
    an = User.objects.get(username="an")
    assert (an.full_name, an.national_id, an.kind) == ("Nguyễn Văn An", "001090012345", AccountKind.CITIZEN)
    assert User.objects.get(username="lan").kind == AccountKind.CITIZEN
    assert User.objects.get(username="congty.abc").kind == AccountKind.BUSINESS
