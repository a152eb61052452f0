from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.accounts.models import Role
from motcua.agencies.models import Agency
from motcua.catalog.models import BudgetUnit, Channel, ProcedureVersion
from motcua.testing.factories import ComponentFactory, ProcedureVersionFactory, ProcessStepFactory

VN = dt.timezone(dt.timedelta(hours=7))
# Monday 3 March 2025, 09:00 in Vietnam: an ordinary working morning.
MONDAY_MORNING = dt.datetime(2025, 3, 3, 9, 0, tzinfo=VN)

# The smallest PDF that parses (uploads are opened with pikepdf): one empty A4 page.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name: str = "to-khai.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(MONDAY_MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def calendar_seeded(db: None) -> None:
    from motcua.calendar.services import calendar_seed

    calendar_seed(years=range(2024, 2028))


@pytest.fixture
def bulletin_version(
    service_centre: Agency, culture_department: Agency, calendar_seeded: None
) -> ProcedureVersion:
    """Licence to publish a bulletin: 5 working days, received at the provincial centre."""
    version = ProcedureVersionFactory(
        name="Cấp giấy phép xuất bản bản tin",
        competent_agency=culture_department,
        channels=[Channel.ONLINE, Channel.COUNTER, Channel.POST],
        time_limit_value=Decimal(5),
        effective_from=dt.date(2024, 1, 1),
    )
    version.receiving_agencies.add(service_centre)
    ComponentFactory(version=version, name="Đơn đề nghị cấp giấy phép", required=True)
    ComponentFactory(version=version, name="Mẫu trình bày bản tin", required=True)
    ComponentFactory(version=version, name="Tài liệu khác", required=False)
    steps = [
        ("Tiếp nhận hồ sơ", Role.ONE_STOP_CLERK, service_centre, "0.5", False, False),
        ("Thẩm định hồ sơ", Role.SPECIALIST, culture_department, "3", False, False),
        ("Phê duyệt", Role.LEADER, culture_department, "1", True, False),
        ("Vào số, phát hành", Role.CLERICAL_OFFICER, culture_department, "0.5", False, True),
        ("Trả kết quả", Role.ONE_STOP_CLERK, service_centre, "0", False, False),
    ]
    for order, (name, role, agency, budget, approval, signature) in enumerate(steps, start=1):
        ProcessStepFactory(
            version=version,
            order=order,
            name=name,
            role=role,
            agency=agency,
            budget_value=Decimal(budget),
            budget_unit=BudgetUnit.WORKING_DAYS,
            is_approval=approval,
            is_signature=signature,
        )
    return version
