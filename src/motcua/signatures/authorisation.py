"""The leader's authorisation of their personal signature (security review F1).

A result carries two signatures: the leader's personal one (ChuKyLanhDao) and the agency's seal applied by
the clerical officer who issues it. The leader's key is used at issue, by someone else's action, so it may
only be used under an authorisation the leader gave for that very dossier, by authenticating again when
approving: the password, plus the TOTP code when they have a device (a remote-signing SAD later). The
authorisation is a ``SigningRequest`` row and a ``sign_authorise`` timeline event; the issue consumes it
(``signing_authorisation_consume``) in its own transaction, so one authorisation signs once.

Approving without authenticating again is refused (``ConflictError``), on the desk, the API and the batch
page alike: "approved" then always means "the leader consented to sign this result" (docs/architecture.md).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _
from django_otp import user_has_device

from motcua.core import clock
from motcua.core.errors import ApplicationError, ConflictError
from motcua.dossiers.events import dossier_event_record
from motcua.dossiers.models import Dossier
from motcua.dossiers.paperwork import SigningCredentials
from motcua.dossiers.workflow import Actor, TimelineAction
from motcua.signatures.models import SigningRequest

if TYPE_CHECKING:
    from motcua.accounts.models import User

SIGN_AUTHORISE = TimelineAction.SIGN_AUTHORISE


def signing_authorisation_check(*, user: User, password: str, otp: str) -> str:
    """The password again, and the TOTP code when the leader has a device. Returns how they authenticated
    (a ``SigningRequest.Method``); raises ApplicationError with field errors, having recorded nothing.

    Failures are counted per person (MOTCUA_THROTTLE_SIGNING_PASSWORD): past the limit every try, the
    right password included, is refused with ThrottledError (429) until the window ends."""
    from motcua.core.throttle import SIGNING_PASSWORD, throttle_check, throttle_hit

    attempts = [(SIGNING_PASSWORD, str(user.pk))]
    throttle_check(attempts)
    errors: dict[str, str] = {}
    if not password or not user.check_password(password):
        errors["password"] = _("Mật khẩu không đúng.")
    method = SigningRequest.Method.PASSWORD
    if user_has_device(user, confirmed=True):
        from motcua.accounts.twofactor import totp_verify_for_user

        method = SigningRequest.Method.PASSWORD_TOTP
        device, problem = totp_verify_for_user(user, otp.strip())
        if device is None:
            errors["otp"] = str(problem)
    if errors:
        throttle_hit(attempts)
        raise ApplicationError(
            _("Xác thực ký số không thành công, chưa ký hồ sơ nào."),
            {"fields": errors},
        )
    return str(method)


def signing_authorisation_grant(
    *, dossier: Dossier, signer: User, method: str, batch: uuid.UUID | None = None
) -> SigningRequest:
    """Record the authorisation (after ``signing_authorisation_check`` passed) and its timeline event.
    Idempotent for a dossier the leader already authorised and that was not signed yet."""
    existing = SigningRequest.objects.filter(
        dossier=dossier, signer=signer, status=SigningRequest.Status.PENDING
    ).first()
    if existing is not None:
        return existing
    request = SigningRequest.objects.create(
        dossier=dossier,
        signer=signer,
        status=SigningRequest.Status.PENDING,
        method=method,
        batch=batch,
        created_at=clock.now(),
    )
    dossier_event_record(
        dossier=dossier,
        action=SIGN_AUTHORISE,
        actor=signer,
        actor_role=Actor.LEADER,
        actor_agency=dossier.competent_agency,
        from_status=dossier.status,
        to_status=dossier.status,
        data={"method": method, "batch": str(batch) if batch else "", "signing_request": request.pk},
    )
    return request


def result_approval_authorise(
    *, dossier: Dossier, leader: User, credentials: SigningCredentials | None
) -> None:
    """The ``Paperwork`` port: called when ``leader`` approves ``dossier``'s result."""
    if not settings.MOTCUA_SIGN_RESULTS:
        return  # no personal signature will be applied
    if SigningRequest.objects.filter(
        dossier=dossier, signer=leader, status=SigningRequest.Status.PENDING
    ).exists():
        return  # authorised a moment ago on the batch page, in this transaction
    if credentials is None or not credentials.password:
        raise ConflictError(
            _(
                "Phê duyệt kết quả có chữ ký số cá nhân cần xác thực lại: nhập mật khẩu (và mã OTP nếu "
                "có) để ủy quyền ký."
            ),
            {"field": "password"},
        )
    method = signing_authorisation_check(user=leader, password=credentials.password, otp=credentials.otp)
    signing_authorisation_grant(dossier=dossier, signer=leader, method=method)


def signing_authorisation_consume(*, dossier: Dossier, signer: User | None) -> SigningRequest:
    """Take the leader's pending authorisation for this dossier, once: a conditional update, atomic on
    SQLite and PostgreSQL alike, so two issues racing cannot both sign. Runs in the issue transaction: a
    failed signature gives the authorisation back. Raises ConflictError (409) when there is none."""
    if signer is None:
        raise ConflictError(
            _("Kết quả chưa được lãnh đạo phê duyệt, chưa thể ký số."), {"field": "signature"}
        )
    candidate = (
        SigningRequest.objects.filter(dossier=dossier, signer=signer, status=SigningRequest.Status.PENDING)
        .order_by("created_at", "pk")
        .first()
    )
    now = clock.now()
    if candidate is None or not SigningRequest.objects.filter(
        pk=candidate.pk, status=SigningRequest.Status.PENDING
    ).update(status=SigningRequest.Status.SIGNED, signed_at=now):
        raise ConflictError(
            _(
                "Lãnh đạo phê duyệt (%(name)s) chưa ủy quyền ký số cho hồ sơ này: kết quả chưa được phát "
                "hành. Đề nghị lãnh đạo xác thực để ủy quyền ký."
            )
            % {"name": str(signer)},
            {"field": "signature", "signer": getattr(signer, "username", "")},
        )
    candidate.refresh_from_db()
    return candidate
