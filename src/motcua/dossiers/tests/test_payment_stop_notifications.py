from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import VN, pdf
from motcua.notifications.models import Notification, NotificationStatus

pytestmark = pytest.mark.django_db


def _received(version, citizen, clerk, *, sms_consent: bool = False) -> Dossier:  # type: ignore[no-untyped-def]
    components = list(version.components.order_by("order"))
    dossier = services.dossier_submit(
        data=services.SubmissionData(
            version=version,
            applicant=services.ApplicantData(
                name="Nguyễn Văn An", id_number="001090012345", phone="0912345678", email="an@example.org"
            ),
            files={components[0].pk: [pdf()], components[1].pk: [pdf("b.pdf")]},
            sms_consent=sms_consent,
        ),
        user=citizen,
    )
    return services.dossier_receive(dossier=dossier, clerk=clerk)


def test_financial_obligation_pauses_and_payment_resumes(
    citizen_an, clerk_binh, specialist_chi, bulletin_version, frozen
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    before = dossier.appointment_at
    services.dossier_request_payment(
        dossier=dossier, officer=specialist_chi, items=["Lệ phí cấp phép 100.000 đồng"]
    )
    frozen.move_to(dt.datetime(2025, 3, 5, 9, 0, tzinfo=VN))
    dossier = services.dossier_confirm_payment(dossier=dossier, clerk=clerk_binh, reference="BL-0001")
    assert dossier.status == "processing"
    assert dossier.payment_status == "paid"
    assert dossier.appointment_at > before


def test_only_a_leader_of_the_competent_agency_stops_processing(
    citizen_an, clerk_binh, specialist_chi, leader_dung, bulletin_version, frozen
) -> None:
    from motcua.core.errors import ApplicationError

    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    with pytest.raises(ApplicationError):
        services.dossier_stop(dossier=dossier, leader=specialist_chi, reason="Hồ sơ giả mạo")
    stopped = services.dossier_stop(dossier=dossier, leader=leader_dung, reason="Hồ sơ giả mạo giấy tờ")
    assert stopped.status == "stopped"
    assert not stopped.tasks.filter(status="active").exists()


def test_citizens_are_notified_by_sms_and_email_after_commit(
    citizen_an, clerk_binh, bulletin_version, frozen, django_capture_on_commit_callbacks, settings, tmp_path
) -> None:
    settings.VAR_DIR = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        dossier = _received(bulletin_version, citizen_an, clerk_binh, sms_consent=True)
    sent = Notification.objects.filter(dossier_code=dossier.code, status=NotificationStatus.SENT)
    assert set(sent.values_list("event", flat=True)) >= {"submit", "receive"}
    # SMS go without diacritics (one GSM-7 segment instead of three UCS-2 ones).
    receipt_sms = [n.body for n in sent.filter(channel="sms", event="receive")]
    assert any("Hẹn trả: 17:00" in body for body in receipt_sms)  # the appointment in Vietnam time
    # One script in one message: with diacritics throughout (review walk step 15).
    assert all(body.startswith("[Một Cửa] Hồ sơ ") and "Ho so" not in body for body in receipt_sms)
    assert any(dossier.code in m.subject for m in mail.outbox)
    assert dossier.code in (tmp_path / "sms.log").read_text(encoding="utf-8")


def test_nothing_is_sent_when_the_transaction_rolls_back(
    citizen_an, bulletin_version, frozen, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    from motcua.dossiers import events

    def explode(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    # Every event is built by dossier_event_build (saved by dossier_event_record, or written with the
    # submission's single statement on PostgreSQL).
    monkeypatch.setattr(events, "dossier_event_build", explode)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        _received(bulletin_version, citizen_an, None)
    assert not mail.outbox
    assert Notification.objects.count() == 0


def test_a_bad_phone_number_fails_permanently_without_retries(citizen_an, bulletin_version, frozen) -> None:
    from motcua.notifications.services import notification_deliver, notification_queue

    notification = notification_queue(channel="sms", recipient="12", body="x", dossier_code="X")
    assert notification is not None
    assert notification_deliver(notification_id=notification.pk) == "failed"
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED
