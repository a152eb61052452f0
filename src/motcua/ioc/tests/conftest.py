from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from motcua.agencies.models import Agency
from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.tests.conftest import bulletin_version  # noqa: F401 (test_fact_refresh)
from motcua.ioc.importer import ImportReport, dossiers_import
from motcua.testing.factories import ProcedureFactory, ProcedureVersionFactory

VN = dt.timezone(dt.timedelta(hours=7))
PROCEDURE = "1.001234"
DEPARTMENT = "000.00.02.H99"  # the culture_department fixture


@pytest.fixture
def calendar_seeded(db: None) -> None:
    from motcua.calendar.services import calendar_seed

    calendar_seed(years=range(2025, 2027))


@pytest.fixture
def licence(culture_department: Agency, calendar_seeded: None) -> ProcedureVersion:
    """A licence of 5 working days at the Department of Culture, national code 1.001234."""
    return ProcedureVersionFactory(
        procedure=ProcedureFactory(national_code=PROCEDURE),
        competent_agency=culture_department,
        effective_from=dt.date(2024, 1, 1),
    )


def record(code: str, status: int, **fields: Any) -> dict[str, Any]:
    """A ``DongBoHoSoMC`` record with the given fields (dates as yyyyMMddHHmmss)."""
    return {
        "MaHoSo": code,
        "MaTTHC": PROCEDURE,
        "DonViXuLy": DEPARTMENT,
        "TrangThaiHoSo": status,
        "KenhThucHien": 1,
        "ChuHoSo": "Nguyễn Văn Thử",
        **fields,
    }


@pytest.fixture
def load(licence: ProcedureVersion) -> Callable[..., ImportReport]:
    def run(*records: dict[str, Any]) -> ImportReport:
        return dossiers_import([json.dumps(item, ensure_ascii=False) for item in records])

    return run


@pytest.fixture
def ioc_viewer(province: Agency):  # type: ignore[no-untyped-def]
    from motcua.accounts.models import Role
    from motcua.testing.factories import StaffFactory, StaffRoleFactory

    user = StaffFactory(username="ioc", full_name="Vũ Thị Hạnh")
    StaffRoleFactory(user=user, agency=province, role=Role.IOC_VIEWER)
    return user
