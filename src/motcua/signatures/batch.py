"""Batch signing: a leader reviews the results waiting for their approval, with previews, and approves and
signs a chosen set with one authorisation (password, plus the TOTP code when they use two-factor login).

Each dossier is approved in its own transaction, so one that fails (taken by someone else, sent back in the
meantime) leaves the others signed. The authorisation is recorded as a ``SigningRequest`` per dossier; the
leader's personal signature is applied with their key when the clerical officer numbers and issues the
result (results.py), like a remote-signing authorisation (CSC SAD) that covers N documents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_otp import user_has_device

from motcua.core import clock
from motcua.core.errors import ApplicationError, PermissionDeniedError
from motcua.dossiers import selectors
from motcua.dossiers.models import Task, TaskStatus
from motcua.dossiers.processing import task_complete
from motcua.dossiers.workflow import Actor, DossierStatus
from motcua.signatures.models import SigningRequest

MAX_BATCH = 100


def signing_queue_for(*, user: Any) -> QuerySet[Task]:
    """Approval steps waiting for this leader: active, at an agency where they hold the leader role."""
    from motcua.dossiers.inbox import inbox_tasks

    return (
        inbox_tasks(user=user, box="unit")
        .filter(role=Actor.LEADER, step__is_approval=True, dossier__status=DossierStatus.PENDING_APPROVAL)
        .order_by("due_at", "pk")
    )


def signing_authorisation_check(*, user: Any, password: str, otp: str) -> None:
    """One authorisation for the whole batch: the password again, and the TOTP code when the leader has
    a device. Raises ApplicationError with field errors; nothing has been signed then.

    Failures are counted per person (MOTCUA_THROTTLE_SIGNING_PASSWORD): past the limit every try, the
    right password included, is refused with ThrottledError (429) until the window ends."""
    from motcua.core.throttle import SIGNING_PASSWORD, throttle_check, throttle_hit

    attempts = [(SIGNING_PASSWORD, str(user.pk))]
    throttle_check(attempts)
    errors: dict[str, str] = {}
    if not password or not user.check_password(password):
        errors["password"] = _("Mật khẩu không đúng.")
    if user_has_device(user, confirmed=True):
        from motcua.accounts.twofactor import totp_verify_for_user

        device, problem = totp_verify_for_user(user, otp.strip())
        if device is None:
            errors["otp"] = str(problem)
    if errors:
        throttle_hit(attempts)
        raise ApplicationError(
            _("Xác thực ký số không thành công, chưa ký hồ sơ nào."),
            {"fields": errors},
        )


@dataclass
class BatchOutcome:
    signed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def results_batch_sign(*, leader: Any, codes: Sequence[str], password: str, otp: str = "") -> BatchOutcome:
    """Approve and sign each chosen dossier (see the module docstring)."""
    chosen = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if not chosen:
        raise ApplicationError(_("Vui lòng chọn ít nhất một hồ sơ."), {"field": "codes"})
    if len(chosen) > MAX_BATCH:
        raise ApplicationError(
            _("Mỗi lần ký tối đa %(count)s hồ sơ.") % {"count": MAX_BATCH}, {"field": "codes"}
        )
    signing_authorisation_check(user=leader, password=password, otp=otp)
    outcome = BatchOutcome()
    queue = signing_queue_for(user=leader)
    for code in chosen:
        try:
            # Through the permission-checked selector: a guessed code outside the leader's agencies is
            # "not found", exactly like one that does not exist.
            dossier = selectors.dossier_get_for_officer(user=leader, code=code)
            with transaction.atomic():
                task = (
                    queue.filter(dossier=dossier, status=TaskStatus.ACTIVE)
                    .select_for_update(of=("self",))
                    .first()
                )
                if task is None:
                    raise PermissionDeniedError(_("Hồ sơ không còn chờ bạn phê duyệt."))
                task_complete(task=task, user=leader, note="Phê duyệt và ký số theo lô / Batch approval")
                SigningRequest.objects.create(
                    dossier=dossier,
                    signer=leader,
                    status=SigningRequest.Status.PENDING,
                    created_at=clock.now(),
                )
        except ApplicationError as exc:  # NotFoundError and PermissionDeniedError included
            outcome.failed[code] = exc.message
            continue
        outcome.signed.append(code)
    return outcome
