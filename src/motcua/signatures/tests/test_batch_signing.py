"""Batch signing: one authorisation approves and signs a chosen set; the signature lands at issue."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.core.errors import ApplicationError
from motcua.dossiers import processing, services
from motcua.dossiers.models import Dossier, TaskStatus
from motcua.dossiers.tests.conftest import pdf
from motcua.dossiers.workflow import DossierStatus
from motcua.signatures.batch import results_batch_sign, signing_queue_for
from motcua.signatures.models import IssuedDocument, SigningRequest

pytestmark = pytest.mark.django_db
PASSWORD = "motcua-test-2026"


def _pending_approval(version, citizen, clerk, specialist) -> Dossier:  # type: ignore[no-untyped-def]
    components = list(version.components.order_by("order"))
    dossier = services.dossier_submit(
        data=services.SubmissionData(
            version=version,
            applicant=services.ApplicantData(name="Nguyễn Văn An", id_number="001090012345"),
            files={components[0].pk: [pdf()], components[1].pk: [pdf("b.pdf")]},
        ),
        user=citizen,
    )
    dossier = services.dossier_receive(dossier=dossier, clerk=clerk)
    processing.task_complete(
        task=dossier.tasks.get(status=TaskStatus.ACTIVE, is_consultation=False), user=specialist
    )
    return Dossier.objects.get(pk=dossier.pk)


@pytest.fixture
def three(bulletin_version, citizen_an, clerk_binh, specialist_chi, leader_dung) -> list[Dossier]:  # type: ignore[no-untyped-def]
    leader_dung.set_password(PASSWORD)
    leader_dung.save()
    return [_pending_approval(bulletin_version, citizen_an, clerk_binh, specialist_chi) for _ in range(3)]


def test_the_queue_lists_what_waits_for_the_leader(three, leader_dung, specialist_chi) -> None:  # type: ignore[no-untyped-def]
    assert {t.dossier.code for t in signing_queue_for(user=leader_dung)} == {d.code for d in three}
    assert not signing_queue_for(user=specialist_chi).exists()


@pytest.mark.usefixtures("signing")
def test_one_authorisation_signs_the_chosen_set_only(
    three,
    leader_dung,
    clerical_em,
) -> None:  # type: ignore[no-untyped-def]
    chosen = [three[0].code, three[2].code]
    outcome = results_batch_sign(leader=leader_dung, codes=chosen, password=PASSWORD)
    assert sorted(outcome.signed) == sorted(chosen)
    assert not outcome.failed
    statuses = {d.code: Dossier.objects.get(pk=d.pk).status for d in three}
    assert statuses[three[0].code] == DossierStatus.APPROVED
    assert statuses[three[1].code] == DossierStatus.PENDING_APPROVAL
    assert SigningRequest.objects.filter(status="pending").count() == 2
    # Issuing applies the leader's personal signature under that authorisation, then the agency's.
    dossier = Dossier.objects.get(pk=three[0].pk)
    processing.task_complete(task=dossier.tasks.get(status=TaskStatus.ACTIVE), user=clerical_em)
    document = IssuedDocument.objects.get(dossier=dossier, kind="result")
    assert [s["username"] for s in document.signed_by] == ["dung", "em"]
    request = SigningRequest.objects.get(dossier=dossier)
    assert request.status == "signed"
    assert request.signed_at is not None


def test_a_wrong_password_signs_nothing(three, leader_dung) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ApplicationError) as caught:
        results_batch_sign(leader=leader_dung, codes=[d.code for d in three], password="sai")
    assert "password" in caught.value.extra["fields"]
    assert all(Dossier.objects.get(pk=d.pk).status == DossierStatus.PENDING_APPROVAL for d in three)
    assert not SigningRequest.objects.exists()


def test_a_leader_with_two_factor_must_give_the_code(three, leader_dung) -> None:  # type: ignore[no-untyped-def]
    device = TOTPDevice.objects.create(user=leader_dung, name="app", confirmed=True)
    with pytest.raises(ApplicationError) as caught:
        results_batch_sign(leader=leader_dung, codes=[three[0].code], password=PASSWORD, otp="000000")
    assert "otp" in caught.value.extra["fields"]
    device.refresh_from_db()
    device.throttle_reset()  # django-otp makes a person wait after a wrong code; the clock is frozen here
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    outcome = results_batch_sign(
        leader=leader_dung, codes=[three[0].code], password=PASSWORD, otp=f"{totp.token():06d}"
    )
    assert outcome.signed == [three[0].code]


def test_guessed_or_foreign_codes_fail_alone(three, leader_dung) -> None:  # type: ignore[no-untyped-def]
    outcome = results_batch_sign(
        leader=leader_dung, codes=[three[0].code, "000.00.09.H99-250303-9999"], password=PASSWORD
    )
    assert outcome.signed == [three[0].code]
    assert "000.00.09.H99-250303-9999" in outcome.failed


def test_the_page_previews_and_signs(three, leader_dung, clerk_other_agency) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(leader_dung)
    page = client.get("/mot-cua/ky-so/").content.decode()
    assert all(d.code in page for d in three)
    preview = client.get(f"/mot-cua/ky-so/{three[0].code}/du-thao.pdf")
    assert preview["Content-Type"] == "application/pdf"
    assert preview.content.startswith(b"%PDF-")
    response = client.post("/mot-cua/ky-so/", {"codes": [three[1].code], "password": PASSWORD}, follow=True)
    assert "Đã phê duyệt và ký 1 hồ sơ" in response.content.decode()
    assert Dossier.objects.get(pk=three[1].pk).status == DossierStatus.APPROVED
    other = Client()
    other.force_login(clerk_other_agency)
    assert other.get(f"/mot-cua/ky-so/{three[0].code}/du-thao.pdf").status_code == 404


def test_only_leaders_see_the_signing_menu(leader_dung, clerk_binh) -> None:  # type: ignore[no-untyped-def]
    for user, shown in ((leader_dung, True), (clerk_binh, False)):
        client = Client()
        client.force_login(user)
        page = client.get("/").content.decode()
        assert ('href="/mot-cua/ky-so/"' in page) is shown
