"""Shared personas, each with a clear permission story (house style):

* ``citizen_an`` — a citizen;  ``citizen_other`` — another citizen.
* ``clerk_binh`` — one-stop clerk at the provincial Public Administration Service Centre.
* ``specialist_chi`` — specialist at the Department of Culture (press and publishing).
* ``leader_dung`` — leader of the Department of Culture, approves and signs.
* ``clerical_em`` — clerical officer of the Department of Culture.
* ``clerk_other_agency`` — one-stop clerk at a commune centre, must not see provincial data.
* ``admin_giang`` — administrator of the province.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from motcua.accounts.models import AccountKind, Role
from motcua.agencies.models import Agency, AgencyLevel
from motcua.testing.factories import AgencyFactory, StaffFactory, StaffRoleFactory, UserFactory


@pytest.fixture
def province(db: None) -> Agency:
    return AgencyFactory(
        code="000.00.00.H99",
        name="Ủy ban nhân dân tỉnh Minh Sơn",
        abbreviation="UBND",
        level=AgencyLevel.PROVINCE,
        valid_from=dt.date(2025, 7, 1),
    )


@pytest.fixture
def service_centre(province: Agency) -> Agency:
    return AgencyFactory(
        code="000.00.09.H99",
        name="Trung tâm Phục vụ hành chính công tỉnh Minh Sơn",
        abbreviation="TTPVHCC",
        level=AgencyLevel.DEPARTMENT,
        parent=province,
        is_service_centre=True,
    )


@pytest.fixture
def culture_department(province: Agency) -> Agency:
    return AgencyFactory(
        code="000.00.02.H99",
        name="Sở Văn hóa, Thể thao và Du lịch",
        abbreviation="SVHTTDL",
        level=AgencyLevel.DEPARTMENT,
        parent=province,
    )


@pytest.fixture
def commune(province: Agency) -> Agency:
    return AgencyFactory(
        code="000.00.31.H99",
        name="Ủy ban nhân dân phường Minh Khai",
        abbreviation="UBND",
        level=AgencyLevel.COMMUNE,
        parent=province,
    )


@pytest.fixture
def citizen_an(db: None):  # type: ignore[no-untyped-def]
    return UserFactory(
        username="an",
        full_name="Nguyễn Văn An",
        kind=AccountKind.CITIZEN,
        national_id="001090012345",
        phone="0912345678",
    )


@pytest.fixture
def citizen_other(db: None):  # type: ignore[no-untyped-def]
    return UserFactory(
        username="other", full_name="Lê Thị Khác", kind=AccountKind.CITIZEN, national_id="001190054321"
    )


def _staff(username: str, full_name: str, agency: Agency, role: str):  # type: ignore[no-untyped-def]
    user = StaffFactory(username=username, full_name=full_name)
    StaffRoleFactory(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def clerk_binh(service_centre: Agency):  # type: ignore[no-untyped-def]
    return _staff("binh", "Trần Văn Bình", service_centre, Role.ONE_STOP_CLERK)


@pytest.fixture
def specialist_chi(culture_department: Agency):  # type: ignore[no-untyped-def]
    return _staff("chi", "Phạm Thị Chi", culture_department, Role.SPECIALIST)


@pytest.fixture
def leader_dung(culture_department: Agency):  # type: ignore[no-untyped-def]
    return _staff("dung", "Hoàng Văn Dũng", culture_department, Role.LEADER)


@pytest.fixture
def clerical_em(culture_department: Agency):  # type: ignore[no-untyped-def]
    return _staff("em", "Đỗ Thị Em", culture_department, Role.CLERICAL_OFFICER)


@pytest.fixture
def clerk_other_agency(commune: Agency):  # type: ignore[no-untyped-def]
    return _staff("khanh", "Vũ Văn Khánh", commune, Role.ONE_STOP_CLERK)


@pytest.fixture
def admin_giang(province: Agency):  # type: ignore[no-untyped-def]
    user = _staff("giang", "Ngô Thị Giang", province, Role.ADMINISTRATOR)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture(autouse=True)
def _throttle_counters_start_at_zero() -> None:
    # Throttle counters live in the cache (locmem in tests), which outlives a test's transaction.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _no_drain_is_remembered_as_queued() -> None:
    # core/wake.py remembers per process the drains it queued: a drain queued by an earlier test (its task
    # row gone with that test's database) must not stand for one in this test.
    from motcua.core.wake import drain_wake_forget

    drain_wake_forget()


@pytest.fixture(autouse=True)
def _each_test_starts_in_vietnamese() -> Iterator[None]:
    # LocaleMiddleware activates the request's language in the thread and nothing deactivates it after a
    # test client's request: an English page in one test left the next ones' messages in English.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
