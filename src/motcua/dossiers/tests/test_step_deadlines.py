"""Step due times come from the internal process's budgets and fit inside the legal limit (issue 9 point 5,
walk.md step 6): appraisal is never due on the appointment itself."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from motcua.accounts.models import Role
from motcua.agencies.models import Agency
from motcua.calendar.deadlines import WorkCalendar
from motcua.catalog.models import BudgetUnit, Channel, ProcedureVersion, TimeUnit
from motcua.dossiers import processing, services
from motcua.dossiers.models import Dossier, TaskStatus
from motcua.dossiers.tests.conftest import pdf
from motcua.testing.factories import ComponentFactory, ProcedureVersionFactory, ProcessStepFactory

pytestmark = pytest.mark.django_db
VN = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture
def press_licence(
    service_centre: Agency, culture_department: Agency, calendar_seeded: None
) -> ProcedureVersion:
    """1.009374 as the demo catalogue publishes it: 15 days; 1 + 11 + 2 + 1 + 0 days of internal process."""
    version = ProcedureVersionFactory(
        name="Cấp giấy phép xuất bản bản tin (địa phương)",
        competent_agency=culture_department,
        channels=[Channel.ONLINE, Channel.COUNTER],
        time_limit_value=Decimal(15),
        time_limit_unit=TimeUnit.DAYS,
        effective_from=dt.date(2024, 1, 1),
    )
    version.receiving_agencies.add(service_centre)
    ComponentFactory(version=version, name="Tờ khai", required=True)
    steps = [
        ("Tiếp nhận, kiểm tra hồ sơ", Role.ONE_STOP_CLERK, service_centre, "1", False, False),
        ("Thẩm định hồ sơ", Role.SPECIALIST, culture_department, "11", False, False),
        ("Phê duyệt, ký kết quả", Role.LEADER, culture_department, "2", True, False),
        ("Vào số, phát hành kết quả", Role.CLERICAL_OFFICER, culture_department, "1", False, True),
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
            budget_unit=BudgetUnit.DAYS,
            is_approval=approval,
            is_signature=signature,
        )
    return version


def _received_at(version, citizen, clerk, moment: dt.datetime) -> Dossier:  # type: ignore[no-untyped-def]
    component = version.components.get()
    with time_machine.travel(moment, tick=False):
        dossier = services.dossier_submit(
            data=services.SubmissionData(
                version=version,
                applicant=services.ApplicantData(name="Nguyễn Văn An", id_number="001090012345"),
                files={component.pk: [pdf()]},
            ),
            user=citizen,
        )
        return services.dossier_receive(dossier=dossier, clerk=clerk)


def _due(dossier: Dossier, name: str) -> dt.datetime:
    return dossier.tasks.get(name=name).due_at.astimezone(VN)


@pytest.mark.parametrize(
    ("received", "appointment", "appraisal_due"),
    [
        # The walk: Wednesday 19:43, after hours → counted from Thursday; two weekends inside.
        (
            dt.datetime(2026, 12, 2, 19, 43, tzinfo=VN),
            dt.datetime(2026, 12, 18, 17, 0, tzinfo=VN),
            dt.datetime(2026, 12, 15, 17, 0, tzinfo=VN),
        ),
        # Friday evening: the weekend is crossed before the first working session.
        (
            dt.datetime(2025, 3, 7, 19, 0, tzinfo=VN),
            dt.datetime(2025, 3, 25, 17, 0, tzinfo=VN),
            dt.datetime(2025, 3, 20, 17, 0, tzinfo=VN),
        ),
    ],
)
def test_appraisal_leaves_the_later_steps_their_budgets_before_the_appointment(
    press_licence, citizen_an, clerk_binh, received, appointment, appraisal_due
) -> None:
    dossier = _received_at(press_licence, citizen_an, clerk_binh, received)
    assert dossier.appointment_at.astimezone(VN) == appointment
    # 11 days from Thursday would end on the appointment's eve; approval (2), issue (1) and return (0)
    # need 3 working days before the appointment, so appraisal is due 3 working days earlier.
    assert _due(dossier, "Thẩm định hồ sơ") == appraisal_due
    calendar = WorkCalendar()
    assert calendar.working_minutes_between(appraisal_due, appointment) == 3 * 450


def test_each_later_step_is_due_after_its_own_budget_and_never_after_the_appointment(
    press_licence, citizen_an, clerk_binh, specialist_chi, leader_dung, clerical_em, settings
) -> None:
    dossier = _received_at(press_licence, citizen_an, clerk_binh, dt.datetime(2025, 3, 7, 19, 0, tzinfo=VN))
    appointment = dossier.appointment_at.astimezone(VN)

    def finish(user, moment: dt.datetime) -> None:  # type: ignore[no-untyped-def]
        with time_machine.travel(moment, tick=False):
            processing.task_complete(task=dossier.tasks.get(status=TaskStatus.ACTIVE), user=user)

    # Appraisal finished early on Wednesday 19/3 10:00: approval gets its 2 days (Friday 10:00).
    finish(specialist_chi, dt.datetime(2025, 3, 19, 10, 0, tzinfo=VN))
    assert _due(dossier, "Phê duyệt, ký kết quả") == dt.datetime(2025, 3, 21, 10, 0, tzinfo=VN)
    # Approval finished on Monday 24/3 at 09:00 (late): issuing would take until Tuesday 09:00 and
    # return then needs nothing, so issue is due Tuesday 09:00, before the appointment.
    settings.MOTCUA_SIGN_RESULTS = False
    finish(leader_dung, dt.datetime(2025, 3, 24, 9, 0, tzinfo=VN))
    assert _due(dossier, "Vào số, phát hành kết quả") == dt.datetime(2025, 3, 25, 9, 0, tzinfo=VN)
    # Issued on Tuesday 16:00: return is due at its start (budget 0), within the appointment.
    finish(clerical_em, dt.datetime(2025, 3, 25, 16, 0, tzinfo=VN))
    assert _due(dossier, "Trả kết quả") == dt.datetime(2025, 3, 25, 16, 0, tzinfo=VN)
    assert all(t.due_at.astimezone(VN) <= appointment for t in dossier.tasks.all())


def test_a_step_that_starts_after_its_latest_due_is_due_when_it_starts(
    press_licence, citizen_an, clerk_binh, specialist_chi
) -> None:
    dossier = _received_at(press_licence, citizen_an, clerk_binh, dt.datetime(2025, 3, 7, 19, 0, tzinfo=VN))
    late = dt.datetime(2025, 3, 25, 10, 0, tzinfo=VN)  # the appointment day: approval no longer fits
    with time_machine.travel(late, tick=False):
        processing.task_complete(task=dossier.tasks.get(status=TaskStatus.ACTIVE), user=specialist_chi)
    assert _due(dossier, "Phê duyệt, ký kết quả") == late


def test_subtracting_working_time_is_the_inverse_of_adding_it() -> None:
    calendar = WorkCalendar()
    friday_close = dt.datetime(2025, 3, 7, 17, 0, tzinfo=VN)
    assert calendar.subtract_working_time(friday_close, Decimal(2), "days") == dt.datetime(
        2025, 3, 5, 17, 0, tzinfo=VN
    )
    monday_nine = dt.datetime(2025, 3, 10, 9, 0, tzinfo=VN)
    back = calendar.subtract_working_minutes(monday_nine, 200)
    assert back == dt.datetime(2025, 3, 7, 15, 10, tzinfo=VN)  # 90 min on Monday, 110 on Friday
    assert calendar.add_working_minutes(back, 200) == monday_nine
    assert calendar.subtract_working_time(monday_nine, Decimal(0), "days") == monday_nine
