"""A staff member's API token never signs (review F5): the leader's approval, whose result carries the
leader's signature, needs the person in a session."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.core.auth import api_token_create

pytestmark = pytest.mark.django_db


def test_a_staff_token_is_refused_for_the_approval_that_signs(
    bulletin_version, citizen_an, clerk_binh, specialist_chi, leader_dung
) -> None:
    from motcua.dossiers.models import TaskStatus
    from motcua.dossiers.workflow import DossierStatus
    from motcua.signatures.tests.test_batch_signing import _pending_approval

    dossier = _pending_approval(bulletin_version, citizen_an, clerk_binh, specialist_chi)
    task = dossier.tasks.get(status=TaskStatus.ACTIVE)
    TOTPDevice.objects.create(user=leader_dung, name="app", confirmed=True)
    _token, key = api_token_create(user=leader_dung, name="t")
    assert (
        Client().get(f"/api/v1/dossiers/{dossier.code}", HTTP_AUTHORIZATION=f"Bearer {key}").status_code
        == 200
    )  # reading is fine
    response = Client().post(
        f"/api/v1/dossiers/{dossier.code}/tasks/{task.pk}/complete",
        "{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 403
    assert response.json()["extra"]["reason"] == "token_cannot_sign"
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PENDING_APPROVAL
    # The same person in a session may approve (no device here, so no OTP step in this test).
    TOTPDevice.objects.filter(user=leader_dung).delete()
    session = Client()
    session.force_login(leader_dung)
    approved = session.post(
        f"/api/v1/dossiers/{dossier.code}/tasks/{task.pk}/complete", "{}", content_type="application/json"
    )
    assert approved.status_code == 200, approved.content
