"""Appointments, pauses, apologies and lateness, on the database with a frozen clock."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.core.errors import ApplicationError
from motcua.dossiers import processing, services
from motcua.dossiers.lateness import deadlines_scan, national_timeliness
from motcua.dossiers.models import Dossier, Task, TaskStatus
from motcua.dossiers.tests.conftest import VN, pdf

pytestmark = pytest.mark.django_db


def _submit(version, user) -> Dossier:  # type: ignore[no-untyped-def]
    components = list(version.components.order_by("order"))
    return services.dossier_submit(
        data=services.SubmissionData(
            version=version,
            applicant=services.ApplicantData(
                name="Nguyễn Văn An", id_number="001090012345", phone="0912345678"
            ),
            files={components[0].pk: [pdf()], components[1].pk: [pdf("b.pdf")]},
        ),
        user=user,
    )


def _received(version, citizen, clerk) -> Dossier:  # type: ignore[no-untyped-def]
    return services.dossier_receive(dossier=_submit(version, citizen), clerk=clerk)


def test_appointment_is_five_working_days_after_receipt(
    citizen_an, clerk_binh, bulletin_version, frozen
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    # Received Monday 03/03/2025 09:00; day 1 is Tuesday, day 5 is Monday 10/03, end of office hours.
    assert dossier.appointment_at.astimezone(VN).date() == dt.date(2025, 3, 10)


def test_appointment_skips_tet_2026(citizen_an, clerk_binh, bulletin_version, frozen) -> None:
    frozen.move_to(dt.datetime(2026, 2, 12, 9, 0, tzinfo=VN))  # Thursday before Tết (14–22/02/2026 off)
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    # Day 1 = Fri 13/02, then Mon 23/02 … Thu 26/02 = day 5.
    assert dossier.appointment_at.astimezone(VN).date() == dt.date(2026, 2, 26)


def test_steps_get_due_times_and_the_first_step_is_done_by_receipt(
    citizen_an, clerk_binh, bulletin_version, frozen
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    tasks = list(dossier.tasks.order_by("order"))
    assert tasks[0].status == TaskStatus.DONE
    assert tasks[1].status == TaskStatus.ACTIVE
    assert tasks[1].due_at is not None
    assert tasks[1].due_at > tasks[1].started_at
    assert all(t.status == TaskStatus.WAITING for t in tasks[2:])


def test_supplement_pause_moves_the_appointment_by_the_paused_time(
    citizen_an, clerk_binh, specialist_chi, bulletin_version, frozen
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    before = dossier.appointment_at
    frozen.move_to(dt.datetime(2025, 3, 4, 9, 0, tzinfo=VN))
    services.dossier_request_supplement(dossier=dossier, officer=specialist_chi, items=["Bản sao giấy phép"])
    # The citizen answers two working days later (Thursday 09:00): the clock was stopped meanwhile.
    frozen.move_to(dt.datetime(2025, 3, 6, 9, 0, tzinfo=VN))
    component = bulletin_version.components.order_by("order").first()
    dossier = services.dossier_supply(dossier=dossier, user=citizen_an, files={component.pk: [pdf("c.pdf")]})
    assert dossier.appointment_at.astimezone(VN).date() == dt.date(2025, 3, 12)
    assert dossier.appointment_at > before


def test_a_pause_across_a_holiday_does_not_count_the_holiday(
    citizen_an, clerk_binh, specialist_chi, bulletin_version, frozen
) -> None:
    frozen.move_to(dt.datetime(2025, 4, 24, 9, 0, tzinfo=VN))  # Thu; 30/04–04/05/2025 off, Sat 26/04 worked
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    services.dossier_request_supplement(dossier=dossier, officer=specialist_chi, items=["Bổ sung đơn"])
    frozen.move_to(dt.datetime(2025, 5, 5, 9, 0, tzinfo=VN))  # Monday after the holiday
    component = bulletin_version.components.order_by("order").first()
    resumed = services.dossier_supply(dossier=dossier, user=citizen_an, files={component.pk: [pdf("d.pdf")]})
    # The paused interval (24/04 09:00 → 05/05 09:00, five working days: 25, 26 (make-up Saturday), 28,
    # 29/04 and the morning of 05/05 … ) is added back, so the appointment moves from 05/05 to 12/05.
    assert resumed.appointment_at.astimezone(VN).date() == dt.date(2025, 5, 12)


def test_a_second_supplement_request_is_refused_without_a_leader_and_counts_as_late_with_one(
    citizen_an, clerk_binh, specialist_chi, leader_dung, bulletin_version, frozen
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    component = bulletin_version.components.order_by("order").first()
    services.dossier_request_supplement(dossier=dossier, officer=specialist_chi, items=["Bổ sung"])
    dossier = services.dossier_supply(dossier=dossier, user=citizen_an, files={component.pk: [pdf()]})
    # Decree 118/2025 art. 12: only once. The specialist cannot ask again, even with a reason …
    with pytest.raises(ApplicationError, match="Điều 12 Nghị định 118/2025"):
        services.dossier_request_supplement(
            dossier=dossier, officer=specialist_chi, items=["Bổ sung lần 2"], second_request_reason="Cần"
        )
    # … and the leader must say why.
    with pytest.raises(ApplicationError, match="lý do"):
        services.dossier_request_supplement(dossier=dossier, officer=leader_dung, items=["Bổ sung lần 2"])
    dossier.refresh_from_db()
    assert dossier.supplement_requests == 1
    assert dossier.status == "processing"

    services.dossier_request_supplement(
        dossier=dossier,
        officer=leader_dung,
        items=["Bản sao giấy phép còn hiệu lực"],
        second_request_reason="Giấy phép nộp lần đầu đã hết hạn trong thời gian giải quyết",
    )
    dossier = services.dossier_supply(dossier=dossier, user=citizen_an, files={component.pk: [pdf()]})
    dossier.refresh_from_db()
    assert dossier.supplement_requests == 2
    assert national_timeliness(dossier) == "late"
    second = dossier.events.filter(action="request_supplement").order_by("at", "pk").last()
    assert (second.actor, second.actor_role, second.actor_agency) == (
        leader_dung,
        "leader",
        dossier.competent_agency,
    )
    assert second.data["counts_as_late"] is True
    assert second.data["leader_approval_reason"] == (
        "Giấy phép nộp lần đầu đã hết hạn trong thời gian giải quyết"
    )


def test_apology_sets_a_new_appointment_once_and_only_before_the_deadline(
    citizen_an, clerk_binh, specialist_chi, bulletin_version, frozen
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    later = dossier.appointment_at + dt.timedelta(days=3)
    dossier = services.dossier_apologise(
        dossier=dossier, officer=specialist_chi, reason="Chờ ý kiến phối hợp", new_appointment_at=later
    )
    assert dossier.appointment_at == later
    assert dossier.original_appointment_at < later
    with pytest.raises(ApplicationError, match="một lần"):
        services.dossier_apologise(
            dossier=dossier,
            officer=specialist_chi,
            reason="Lần hai",
            new_appointment_at=later + dt.timedelta(days=1),
        )


def test_apology_after_the_deadline_is_refused(
    citizen_an, clerk_binh, specialist_chi, bulletin_version, frozen
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    frozen.move_to(dossier.appointment_at + dt.timedelta(hours=1))
    with pytest.raises(ApplicationError, match="trước thời hạn"):
        services.dossier_apologise(
            dossier=dossier,
            officer=specialist_chi,
            reason="Muộn",
            new_appointment_at=dossier.appointment_at + dt.timedelta(days=2),
        )


def test_the_scan_flags_overdue_steps_and_dossiers(citizen_an, clerk_binh, bulletin_version, frozen) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    frozen.move_to(dt.datetime(2025, 3, 20, 9, 0, tzinfo=VN))
    counts = deadlines_scan()
    dossier.refresh_from_db()
    assert counts["dossiers_overdue"] == 1
    assert dossier.lateness == "overdue"
    assert Task.objects.get(dossier=dossier, status=TaskStatus.ACTIVE).lateness == "overdue"
    assert national_timeliness(dossier) == "overdue"


def test_steps_are_classified_early_on_time_or_late(
    citizen_an, clerk_binh, specialist_chi, bulletin_version, frozen
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    appraisal = dossier.tasks.get(status=TaskStatus.ACTIVE)
    frozen.move_to(dt.datetime(2025, 3, 12, 9, 0, tzinfo=VN))  # well past the 3-day budget
    processing.task_complete(task=appraisal, user=specialist_chi)
    appraisal.refresh_from_db()
    assert appraisal.outcome == "late"


def test_paper_dossier_at_the_counter_is_received_at_once(clerk_binh, bulletin_version, frozen) -> None:
    components = list(bulletin_version.components.order_by("order"))
    dossier = services.dossier_receive_at_counter(
        clerk=clerk_binh,
        data=services.SubmissionData(
            version=bulletin_version,
            applicant=services.ApplicantData(
                name="Trần Thị Mai", id_number="001190011111", phone="0987654321"
            ),
            receiving_agency=clerk_binh.staff_roles.first().agency,
            files={components[0].pk: [pdf("scan.pdf")]},
        ),
        received_component_ids=[components[0].pk, components[1].pk],
    )
    assert dossier.channel == "counter"
    assert dossier.status == "processing"
    assert dossier.code.startswith("000.00.09.H99-250303-")
    assert dossier.components.filter(received=True).count() >= 2


def test_counter_intake_without_a_required_component_is_refused(clerk_binh, bulletin_version, frozen) -> None:
    components = list(bulletin_version.components.order_by("order"))
    with pytest.raises(ApplicationError, match="thiếu"):
        services.dossier_receive_at_counter(
            clerk=clerk_binh,
            data=services.SubmissionData(
                version=bulletin_version,
                applicant=services.ApplicantData(name="Trần Thị Mai", id_number="001190011111"),
                receiving_agency=clerk_binh.staff_roles.first().agency,
            ),
            received_component_ids=[components[0].pk],
        )
    assert Dossier.objects.count() == 0
