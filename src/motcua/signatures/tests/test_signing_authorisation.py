"""The leader's personal signature is applied only under an authorisation the leader gave for that dossier
(security review F1): a clerk, a specialist or a clerical officer can never make the leader's key sign."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from motcua.dossiers import processing
from motcua.dossiers.models import Dossier, DossierEvent, TaskStatus
from motcua.dossiers.paperwork import SigningCredentials
from motcua.dossiers.workflow import DossierStatus
from motcua.signatures.models import DocumentRegister, IssuedDocument, SigningRequest
from motcua.testing.journeys import bulletin_received, staff_api_key

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing")]
PASSWORD = "motcua-test-pass"  # the factories' password


def _received(version, citizen, clerk) -> Dossier:  # type: ignore[no-untyped-def]
    return bulletin_received(
        version, citizen, clerk, summary="Xin cấp giấy phép xuất bản Bản tin Thông tin Minh Sơn"
    )


def _active(dossier: Dossier) -> Any:
    return dossier.tasks.get(status=TaskStatus.ACTIVE, is_consultation=False)


def _bearer(user: Any) -> dict[str, str]:
    key = staff_api_key(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _complete(dossier: Dossier, user: Any, body: dict[str, Any] | None = None) -> Any:
    """Approval and issue sign, so they go through the person's browser session: tokens are refused."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:  # a session that passed the second factor
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client.post(
        f"/api/v1/dossiers/{dossier.code}/tasks/{_active(dossier).pk}/complete",
        json.dumps(body or {}),
        content_type="application/json",
    )


def _complete_with_token(dossier: Dossier, user: Any, body: dict[str, Any] | None = None) -> Any:
    return Client().post(
        f"/api/v1/dossiers/{dossier.code}/tasks/{_active(dossier).pk}/complete",
        json.dumps(body or {}),
        content_type="application/json",
        **_bearer(user),
    )


def test_the_f1_sequence_through_the_api_never_signs_with_the_leaders_key(
    bulletin_version, citizen_an, clerk_binh, specialist_chi, leader_dung, clerical_em
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    Client().post(
        f"/api/v1/dossiers/{dossier.code}/tasks/{_active(dossier).pk}/claim",
        "{}",
        content_type="application/json",
        **_bearer(specialist_chi),
    )
    assert _complete_with_token(dossier, specialist_chi).status_code == 200
    # A token never approves or issues (docs/security.md): refused before anything else.
    assert _complete_with_token(dossier, leader_dung, {"password": PASSWORD}).status_code == 403
    # The leader's session alone, no password, no code: the approval of a signed result is refused.
    refused = _complete(dossier, leader_dung)
    assert refused.status_code == 409, refused.content
    assert refused.json()["extra"]["field"] == "password"
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PENDING_APPROVAL
    # The clerical officer cannot issue what is not approved; nothing is signed or numbered.
    assert Client().get(f"/api/v1/dossiers/{dossier.code}", **_bearer(clerical_em)).status_code == 200
    assert not IssuedDocument.objects.exists()
    assert not SigningRequest.objects.exists()
    assert not DocumentRegister.objects.exists()


def test_an_approval_without_authorisation_cannot_be_issued_with_the_leaders_key(
    bulletin_version, citizen_an, clerk_binh, specialist_chi, leader_dung, clerical_em, settings
) -> None:
    """Even a dossier approved while signing was off (or before this rule) is refused at issue (409)."""
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    processing.task_complete(task=_active(dossier), user=specialist_chi)
    settings.MOTCUA_SIGN_RESULTS = False
    processing.task_complete(task=_active(dossier), user=leader_dung)
    settings.MOTCUA_SIGN_RESULTS = True
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.APPROVED
    response = _complete(dossier, clerical_em, {"result_number": ""})
    assert response.status_code == 409, response.content
    assert "ủy quyền ký" in response.json()["message"]
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.APPROVED
    assert dossier.result_number == ""
    assert not IssuedDocument.objects.exists()
    assert not DocumentRegister.objects.filter(last_value__gt=0).exists()


@pytest.mark.parametrize("who", ["clerk_binh", "specialist_chi", "clerical_em"])
def test_no_other_officer_can_approve_in_the_leaders_place(
    who, request, bulletin_version, citizen_an, clerk_binh, specialist_chi, leader_dung
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    processing.task_complete(task=_active(dossier), user=specialist_chi)
    officer = request.getfixturevalue(who)
    # Even with a (their own) password: only the leader of the approval step approves.
    assert _complete(dossier, officer, {"password": PASSWORD}).status_code == 403
    assert not SigningRequest.objects.exists()


def test_the_leader_approves_with_the_password_and_the_issue_consumes_the_authorisation(
    bulletin_version, citizen_an, clerk_binh, specialist_chi, leader_dung, clerical_em
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    processing.task_complete(task=_active(dossier), user=specialist_chi)
    wrong = _complete(dossier, leader_dung, {"password": "sai"})
    assert wrong.status_code == 400
    assert "password" in wrong.json()["extra"]["fields"]
    assert _complete(dossier, leader_dung, {"password": PASSWORD}).status_code == 200
    authorisation = SigningRequest.objects.get(dossier=dossier)
    assert (authorisation.signer, authorisation.method, authorisation.status) == (
        leader_dung,
        "password",
        "pending",
    )
    assert DossierEvent.objects.filter(dossier=dossier, action="sign_authorise", actor=leader_dung).exists()
    assert _complete(dossier, clerical_em).status_code == 200
    document = IssuedDocument.objects.get(dossier=dossier, kind="result")
    assert [s["username"] for s in document.signed_by] == ["dung", "em"]
    authorisation.refresh_from_db()
    assert authorisation.status == "signed"
    assert authorisation.signed_at is not None
    assert authorisation.pdf.name == document.file.name


def test_a_consumed_authorisation_does_not_sign_a_second_time(
    bulletin_version, citizen_an, clerk_binh, specialist_chi, leader_dung, clerical_em
) -> None:
    from motcua.core.errors import ConflictError
    from motcua.signatures.results import result_issue

    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    processing.task_complete(task=_active(dossier), user=specialist_chi)
    processing.task_complete(
        task=_active(dossier), user=leader_dung, credentials=SigningCredentials(password=PASSWORD)
    )
    processing.task_complete(task=_active(dossier), user=clerical_em)
    with pytest.raises(ConflictError):
        result_issue(dossier=Dossier.objects.get(pk=dossier.pk), clerical_officer=clerical_em)
    assert IssuedDocument.objects.filter(dossier=dossier).count() == 1


def test_on_the_desk_the_leader_approves_with_the_password_and_without_it_nothing_happens(
    bulletin_version, citizen_an, clerk_binh, specialist_chi, leader_dung
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    processing.task_complete(task=_active(dossier), user=specialist_chi)
    client = Client()
    client.force_login(leader_dung)
    page = client.get(f"/mot-cua/ho-so/{dossier.code}/").content.decode()
    assert 'name="password"' in page
    task = _active(dossier)
    url = f"/mot-cua/ho-so/{dossier.code}/complete/"
    client.post(url, {"task": task.pk})
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PENDING_APPROVAL
    client.post(url, {"task": task.pk, "password": PASSWORD})
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.APPROVED
    assert SigningRequest.objects.get(dossier=dossier).method == "password"


def test_on_the_desk_the_clerical_officer_cannot_issue_an_unauthorised_approval(
    bulletin_version, citizen_an, clerk_binh, specialist_chi, leader_dung, clerical_em, settings
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    processing.task_complete(task=_active(dossier), user=specialist_chi)
    settings.MOTCUA_SIGN_RESULTS = False
    processing.task_complete(task=_active(dossier), user=leader_dung)
    settings.MOTCUA_SIGN_RESULTS = True
    client = Client()
    client.force_login(clerical_em)
    page = client.post(
        f"/mot-cua/ho-so/{dossier.code}/complete/", {"task": _active(dossier).pk}, follow=True
    ).content.decode()
    assert "chưa ủy quyền ký số" in page
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.APPROVED
    assert not IssuedDocument.objects.exists()
