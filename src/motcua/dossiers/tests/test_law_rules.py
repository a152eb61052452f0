"""Rules of the law as it stands (legal-review.md 1.2, 1.5, 2.1, 2.2, 4.2, 4.6; issue 12): the intake
supplement keeps national status 1, the apology's last day, the stop notice by the receiving one-stop
unit, the dossier code's receipt date and its art. 13(3) format, the one-stop unit's 15:00 transfer, and
the look-up secret printed on the receipt."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from motcua.calendar.deadlines import WorkCalendar
from motcua.core.errors import ApplicationError
from motcua.dossiers import services, status
from motcua.dossiers.codes import LOOKUP_ALPHABET, format_dossier_code
from motcua.dossiers.models import Dossier, TaskStatus
from motcua.dossiers.reference import status_mapping_seed
from motcua.dossiers.services import submission_write
from motcua.dossiers.tests.conftest import VN, pdf
from motcua.dossiers.workflow import Action, Actor, DossierStatus, can_transition

pytestmark = pytest.mark.django_db


def _data(version: Any, **extra: Any) -> services.SubmissionData:
    components = list(version.components.order_by("order"))
    return services.SubmissionData(
        version=version,
        applicant=services.ApplicantData(name="Nguyễn Văn An", id_number="001090012345", phone="0912345678"),
        files={components[0].pk: [pdf()], components[1].pk: [pdf("b.pdf")]},
        **extra,
    )


def _submit(version: Any, user: Any) -> Dossier:
    return services.dossier_submit(data=_data(version), user=user)


def _received(version: Any, citizen: Any, clerk: Any) -> Dossier:
    return services.dossier_receive(dossier=_submit(version, citizen), clerk=clerk)


# --- 1.2: an intake supplement is not a supplement during processing --------------------------------


def test_an_intake_supplement_keeps_national_status_1_until_receipt(
    citizen_an, clerk_binh, bulletin_version, frozen, monkeypatch
) -> None:
    status_mapping_seed()
    monkeypatch.setattr(status, "_mapping_cache", None)
    dossier = services.dossier_request_intake_supplement(
        dossier=_submit(bulletin_version, citizen_an), clerk=clerk_binh, items=["Đơn chưa ký"]
    )
    assert dossier.status == DossierStatus.INTAKE_SUPPLEMENT
    # Status 5 before receipt would be counted by the national index as a request during processing.
    assert status.national_status_code(dossier.status) == 1
    component = bulletin_version.components.order_by("order").first()
    dossier = services.dossier_supply(dossier=dossier, user=citizen_an, files={component.pk: [pdf("c.pdf")]})
    assert status.national_status_code(dossier.status) == 1
    dossier = services.dossier_receive(dossier=dossier, clerk=clerk_binh)
    assert status.national_status_code(dossier.status) == 4
    # The supplement during processing is still a 5, and the intake request did not use up the one allowed.
    assert dossier.supplement_requests == 0
    assert status.national_status_code(DossierStatus.AWAITING_SUPPLEMENT) == 5


def test_the_intake_supplement_migration_moves_5_to_1(db: None) -> None:
    import importlib

    from django.apps import apps

    from motcua.dossiers.models import StatusCodeMapping

    migration = importlib.import_module(
        "motcua.dossiers.migrations.0004_intake_supplement_keeps_national_status_1"
    )
    StatusCodeMapping.objects.create(
        status="intake_supplement",
        national_code=5,
        national_label="Yêu cầu bổ sung giấy tờ",
        valid_from=dt.date(2018, 4, 23),
        legal_basis="x",
    )
    migration.forwards(apps, None)
    row = StatusCodeMapping.objects.get(status="intake_supplement")
    assert (row.national_code, row.national_label) == (1, "Mới đăng ký")


# --- 4.6: the apology and extension, no later than the working day before --------------------------


def test_the_apology_is_refused_on_the_last_working_day(
    citizen_an, clerk_binh, specialist_chi, bulletin_version, frozen
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    # Received Monday 03/03/2025: appointment Monday 10/03 17:00. The last day to apologise is Friday 07/03.
    assert dossier.appointment_at.astimezone(VN) == dt.datetime(2025, 3, 10, 17, 0, tzinfo=VN)
    frozen.move_to(dt.datetime(2025, 3, 10, 8, 0, tzinfo=VN))
    with pytest.raises(ApplicationError, match="chậm nhất trước 01 ngày làm việc") as refused:
        services.dossier_apologise(
            dossier=dossier,
            officer=specialist_chi,
            reason="Chờ ý kiến phối hợp",
            new_appointment_at=dossier.appointment_at + dt.timedelta(days=3),
        )
    assert "07/03/2025" in refused.value.message
    assert refused.value.extra["last_day"] == "2025-03-07"


def test_the_apology_is_refused_after_office_hours_of_the_day_before(
    citizen_an, clerk_binh, specialist_chi, bulletin_version, frozen
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    # Friday after 17:00 and Saturday: an act done then takes effect on Monday, the last day.
    for moment in (dt.datetime(2025, 3, 7, 17, 30, tzinfo=VN), dt.datetime(2025, 3, 8, 10, 0, tzinfo=VN)):
        frozen.move_to(moment)
        with pytest.raises(ApplicationError, match="01 ngày làm việc"):
            services.dossier_apologise(
                dossier=dossier,
                officer=specialist_chi,
                reason="Chờ ý kiến phối hợp",
                new_appointment_at=dossier.appointment_at + dt.timedelta(days=3),
            )


def test_the_apology_is_accepted_on_the_working_day_before(
    citizen_an, clerk_binh, specialist_chi, bulletin_version, frozen
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    frozen.move_to(dt.datetime(2025, 3, 7, 16, 30, tzinfo=VN))  # Friday afternoon
    later = dossier.appointment_at + dt.timedelta(days=3)
    dossier = services.dossier_apologise(
        dossier=dossier, officer=specialist_chi, reason="Chờ ý kiến phối hợp", new_appointment_at=later
    )
    assert dossier.appointment_at == later


def test_the_apology_refusal_reads_in_english_too(
    citizen_an, clerk_binh, specialist_chi, bulletin_version, frozen
) -> None:
    from django.utils import translation

    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    frozen.move_to(dt.datetime(2025, 3, 10, 8, 0, tzinfo=VN))
    with translation.override("en"), pytest.raises(ApplicationError, match="one working day") as refused:
        services.dossier_apologise(
            dossier=dossier,
            officer=specialist_chi,
            reason="Late",
            new_appointment_at=dossier.appointment_at + dt.timedelta(days=3),
        )
    assert "07/03/2025" in refused.value.message


# --- 1.5: the stop notice (form 05) by the receiving one-stop unit ----------------------------------


def test_the_workflow_lets_the_one_stop_clerk_stop_processing() -> None:
    assert can_transition(Action.STOP, DossierStatus.PROCESSING, Actor.ONE_STOP_CLERK)
    assert not can_transition(Action.STOP, DossierStatus.PROCESSING, Actor.SPECIALIST)


def test_the_one_stop_clerk_issues_the_stop_notice_on_the_applicants_request(
    citizen_an, clerk_binh, bulletin_version, frozen, settings, tmp_path
) -> None:
    from motcua.signatures.models import IssuedDocument

    settings.MEDIA_ROOT = tmp_path
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    stopped = services.dossier_stop_on_request(
        dossier=dossier, clerk=clerk_binh, reason="Người nộp đề nghị dừng để bổ sung hồ sơ khác"
    )
    assert stopped.status == DossierStatus.STOPPED
    assert stopped.processing_finished_at is not None
    assert not stopped.tasks.filter(status=TaskStatus.ACTIVE).exists()
    event = stopped.events.get(action=Action.STOP)
    assert (event.actor, event.actor_role, event.actor_agency) == (
        clerk_binh,
        Actor.ONE_STOP_CLERK,
        stopped.receiving_agency,
    )
    assert event.data == {"requested_by": "applicant"}
    # Form 05 is numbered in the receiving one-stop unit's register.
    notice = IssuedDocument.objects.get(dossier=stopped, kind="05")
    assert notice.number.endswith("-TTPVHCC")


def test_stop_on_request_through_the_api_is_for_the_receiving_clerk_only(
    citizen_an, clerk_binh, specialist_chi, clerk_other_agency, bulletin_version, frozen, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    url = f"/api/v1/dossiers/{dossier.code}/stop-on-request"
    body = {"reason": "Người nộp đề nghị dừng"}
    for outsider in (specialist_chi, clerk_other_agency):
        client = Client()
        client.force_login(outsider)
        assert client.post(url, body, content_type="application/json").status_code in (403, 404)
    client = Client()
    client.force_login(clerk_binh)
    answer = client.post(url, body, content_type="application/json")
    assert answer.status_code == 200
    assert answer.json()["status"] == "stopped"


# --- 2.1, 2.2: the dossier code -------------------------------------------------------------------


def _paths(monkeypatch: Any) -> list[str]:
    """The write paths of this database: the ORM, and on PostgreSQL also the one statement."""
    return ["statement", "orm"] if connection.vendor == "postgresql" else ["orm"]


def _submit_by(path: str, version: Any, user: Any, monkeypatch: Any, key: str) -> Dossier:
    monkeypatch.setattr(submission_write, "writes_in_one_statement", lambda: path == "statement")
    return services.dossier_submit(data=_data(version), user=user, idempotency_key=key)


def test_a_dossier_submitted_on_friday_evening_carries_mondays_date(
    citizen_an, bulletin_version, frozen, monkeypatch, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    frozen.move_to(dt.datetime(2025, 3, 7, 19, 30, tzinfo=VN))  # Friday, after office hours
    for number, path in enumerate(_paths(monkeypatch), start=1):
        dossier = _submit_by(path, bulletin_version, citizen_an, monkeypatch, key=path)
        # Received on Monday 10/03/2025 (the next opening of the receiving centre).
        assert dossier.code == f"000.00.09.H99-250310-{number:04d}", path


def test_a_counter_dossier_carries_the_day_it_is_received(
    citizen_an, clerk_binh, service_centre, bulletin_version, frozen, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    frozen.move_to(dt.datetime(2025, 3, 7, 10, 0, tzinfo=VN))  # Friday morning, at the counter
    dossier = services.dossier_receive_at_counter(
        clerk=clerk_binh,
        data=_data(bulletin_version, receiving_agency=service_centre),
        received_component_ids=[],
    )
    assert dossier.code == "000.00.09.H99-250307-0001"


def test_the_central_service_format_has_the_settling_agency_and_the_aa_marker() -> None:
    assert format_dossier_code(
        agency_code="000.00.02.H99", day=dt.date(2025, 3, 3), sequence=7, marker="AA"
    ) == ("000.00.02.H99-250303-AA0007")


def test_a_centrally_provided_procedure_is_coded_by_the_settling_agency(
    citizen_an, bulletin_version, culture_department, frozen, monkeypatch, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.MOTCUA_DOSSIER_CODE_CENTRAL_PROCEDURES = [bulletin_version.procedure.national_code]
    for number, path in enumerate(_paths(monkeypatch), start=1):
        dossier = _submit_by(path, bulletin_version, citizen_an, monkeypatch, key=path)
        assert dossier.code == f"{culture_department.code}-250303-AA{number:04d}", path
    # A procedure not in the list keeps the receiving centre's format.
    settings.MOTCUA_DOSSIER_CODE_CENTRAL_PROCEDURES = ["9.999999"]
    assert _submit_by("orm", bulletin_version, citizen_an, monkeypatch, key="x").code == (
        "000.00.09.H99-250303-0001"
    )


# --- 4.2: the one-stop unit's 15:00 transfer of paper dossiers --------------------------------------


def test_paper_transfer_before_and_after_the_cut_off() -> None:
    calendar = WorkCalendar()
    cutoff = dt.time(15, 0)
    tuesday = dt.date(2025, 3, 4)
    before = dt.datetime.combine(tuesday, dt.time(14, 59), tzinfo=VN)
    assert calendar.paper_transfer_at(before, cutoff) == before
    after = dt.datetime.combine(tuesday, dt.time(15, 30), tzinfo=VN)
    assert calendar.paper_transfer_at(after, cutoff) == dt.datetime(2025, 3, 5, 7, 30, tzinfo=VN)
    friday = dt.datetime(2025, 3, 7, 16, 0, tzinfo=VN)
    assert calendar.paper_transfer_at(friday, cutoff) == dt.datetime(2025, 3, 10, 7, 30, tzinfo=VN)


def _counter(version: Any, clerk: Any, centre: Any) -> Dossier:
    components = list(version.components.order_by("order"))
    return services.dossier_receive_at_counter(
        clerk=clerk,
        data=_data(version, receiving_agency=centre),
        received_component_ids=[components[0].pk, components[1].pk],
    )


def test_a_counter_dossier_received_at_1530_is_due_for_transfer_next_morning(
    clerk_binh, service_centre, bulletin_version, frozen, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    frozen.move_to(dt.datetime(2025, 3, 4, 15, 30, tzinfo=VN))  # Tuesday 15:30
    dossier = _counter(bulletin_version, clerk_binh, service_centre)
    intake, appraisal = list(dossier.tasks.order_by("order", "pk"))[:2]
    wednesday_morning = dt.datetime(2025, 3, 5, 7, 30, tzinfo=VN)
    assert intake.due_at == wednesday_morning
    assert appraisal.status == TaskStatus.ACTIVE
    assert appraisal.started_at == wednesday_morning
    # The appraisal's 3 working days of office time count from the transfer: Wednesday to Friday 17:00
    # (from the receipt they would have ended on Friday at 15:30).
    assert appraisal.due_at.astimezone(VN) == dt.datetime(2025, 3, 7, 17, 0, tzinfo=VN)
    # The legal appointment still counts from the receipt (5 working days from Tuesday).
    assert dossier.appointment_at.astimezone(VN) == dt.datetime(2025, 3, 11, 17, 0, tzinfo=VN)


def test_a_counter_dossier_received_before_1500_is_transferred_the_same_day(
    clerk_binh, service_centre, bulletin_version, frozen, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    frozen.move_to(dt.datetime(2025, 3, 4, 10, 0, tzinfo=VN))
    dossier = _counter(bulletin_version, clerk_binh, service_centre)
    intake, appraisal = list(dossier.tasks.order_by("order", "pk"))[:2]
    received = dt.datetime(2025, 3, 4, 10, 0, tzinfo=VN)
    assert intake.due_at == received
    assert appraisal.started_at == received


def test_an_online_dossier_received_after_1500_goes_to_the_settling_agency_at_once(
    citizen_an, clerk_binh, bulletin_version, frozen
) -> None:
    frozen.move_to(dt.datetime(2025, 3, 4, 15, 30, tzinfo=VN))
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    appraisal = dossier.tasks.order_by("order", "pk")[1]
    assert appraisal.started_at == dt.datetime(2025, 3, 4, 15, 30, tzinfo=VN)


# --- Issue 11 point 5: the look-up secret --------------------------------------------------------


def test_every_new_dossier_gets_a_look_up_secret_from_the_unambiguous_alphabet(
    citizen_an, bulletin_version, frozen
) -> None:
    secrets = {_submit(bulletin_version, citizen_an).lookup_secret for _ in range(3)}
    assert len(secrets) == 3
    for secret in secrets:
        assert len(secret) == 8
        assert set(secret) <= set(LOOKUP_ALPHABET)
        assert not set(secret) & set("01OIL5S")


def test_the_secret_is_on_the_receipt_and_on_the_applicants_page(
    citizen_an, clerk_binh, bulletin_version, frozen
) -> None:
    from motcua.signatures.forms import receipt_data

    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    shown = f"{dossier.lookup_secret[:4]}-{dossier.lookup_secret[4:]}"
    assert receipt_data(dossier)["lookup_secret"] == shown
    client = Client()
    client.force_login(citizen_an)
    page = client.get(f"/ho-so/{dossier.code}/")
    assert page.status_code == 200
    assert shown in page.content.decode()
    clerk = Client()
    clerk.force_login(clerk_binh)
    printable = clerk.get(f"/mot-cua/ho-so/{dossier.code}/giay-hen/")
    assert shown in printable.content.decode()


def test_the_tracking_page_accepts_the_secret_and_refuses_a_wrong_one(
    citizen_an, bulletin_version, frozen
) -> None:
    dossier = _submit(bulletin_version, citizen_an)
    page = Client().post("/tra-cuu/", {"code": dossier.code, "factor": dossier.lookup_secret_shown})
    assert dossier.code in page.content.decode()
    assert "Không tìm thấy hồ sơ" not in page.content.decode()
    wrong = Client().post("/tra-cuu/", {"code": dossier.code, "factor": "2222-2222"})
    assert "Không tìm thấy hồ sơ" in wrong.content.decode()


def test_the_desk_offers_the_clerk_the_stop_on_request_and_issues_it(
    citizen_an, clerk_binh, bulletin_version, frozen, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    client = Client()
    client.force_login(clerk_binh)
    page = client.get(f"/mot-cua/ho-so/{dossier.code}/").content.decode()
    assert "Dừng xử lý theo đề nghị của người nộp" in page
    client.post(f"/mot-cua/ho-so/{dossier.code}/stop_on_request/", {"reason": "Người nộp đề nghị dừng"})
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.STOPPED


def test_the_desk_lets_a_leader_approve_a_second_supplement_request(
    citizen_an, clerk_binh, specialist_chi, leader_dung, bulletin_version, frozen, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    component = bulletin_version.components.order_by("order").first()
    services.dossier_request_supplement(dossier=dossier, officer=specialist_chi, items=["Bổ sung"])
    services.dossier_supply(dossier=dossier, user=citizen_an, files={component.pk: [pdf("c.pdf")]})
    specialist = Client()
    specialist.force_login(specialist_chi)
    assert (
        "Yêu cầu lần hai phải do lãnh đạo"
        in specialist.get(f"/mot-cua/ho-so/{dossier.code}/").content.decode()
    )
    leader = Client()
    leader.force_login(leader_dung)
    assert (
        "Phê duyệt yêu cầu bổ sung lần hai" in leader.get(f"/mot-cua/ho-so/{dossier.code}/").content.decode()
    )
    leader.post(
        f"/mot-cua/ho-so/{dossier.code}/supplement_request/",
        {"items": "Bản sao giấy phép còn hiệu lực", "second_request_reason": "Giấy phép đã hết hạn"},
    )
    dossier.refresh_from_db()
    assert (dossier.status, dossier.supplement_requests) == (DossierStatus.AWAITING_SUPPLEMENT, 2)
