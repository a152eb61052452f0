"""Steps several test modules share: a bulletin dossier submitted and received, and a staff member's
API key (staff tokens work only while their owner has two-factor authentication, docs/security.md)."""

from __future__ import annotations

from typing import Any

from motcua.core.auth import api_token_create
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import pdf


def bulletin_submitted(
    version: Any, citizen: Any, summary: str = "Xin cấp giấy phép xuất bản Bản tin"
) -> Dossier:
    components = list(version.components.order_by("order"))
    return services.dossier_submit(
        data=services.SubmissionData(
            version=version,
            summary=summary,
            applicant=services.ApplicantData(name="Nguyễn Văn An", id_number="001090012345"),
            files={components[0].pk: [pdf()], components[1].pk: [pdf("b.pdf")]},
        ),
        user=citizen,
    )


def bulletin_received(
    version: Any, citizen: Any, clerk: Any, summary: str = "Xin cấp giấy phép xuất bản Bản tin"
) -> Dossier:
    return services.dossier_receive(dossier=bulletin_submitted(version, citizen, summary), clerk=clerk)


def staff_api_key(user: Any) -> str:
    """A new API key of ``user``, who gets a confirmed TOTP device first if they have none."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    _, key = api_token_create(user=user, name="test")
    return key
