"""Batch signing: a leader reviews the results waiting for their approval, with previews, and approves and
signs a chosen set with one authorisation (password, plus the TOTP code when they use two-factor login).

Each dossier is approved in its own transaction, so one that fails (taken by someone else, sent back in the
meantime) leaves the others signed. The authorisation is recorded as a ``SigningRequest`` per dossier
(authorisation.py), all sharing one batch id, inside that dossier's approval transaction; the leader's
personal signature is applied with their key when the clerical officer numbers and issues the result
(results.py), which consumes it, like a remote-signing authorisation (CSC SAD) that covers N documents."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from motcua.core.errors import ApplicationError, PermissionDeniedError
from motcua.dossiers import selectors
from motcua.dossiers.models import Dossier, Task, TaskStatus
from motcua.dossiers.processing import task_complete
from motcua.dossiers.workflow import Actor, DossierStatus
from motcua.signatures.authorisation import signing_authorisation_check, signing_authorisation_grant

if TYPE_CHECKING:
    from motcua.accounts.models import User

MAX_BATCH = 100


def signing_queue_for(*, user: User) -> QuerySet[Task]:
    """Approval steps waiting for this leader: active, at an agency where they hold the leader role."""
    from motcua.dossiers.inbox import inbox_tasks

    return (
        inbox_tasks(user=user, box="unit")
        .filter(role=Actor.LEADER, step__is_approval=True, dossier__status=DossierStatus.PENDING_APPROVAL)
        .order_by("due_at", "pk")
    )


@dataclass
class BatchOutcome:
    signed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def results_batch_sign(*, leader: User, codes: Sequence[str], password: str, otp: str = "") -> BatchOutcome:
    """Approve and sign each chosen dossier (see the module docstring)."""
    chosen = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if not chosen:
        raise ApplicationError(_("Vui lòng chọn ít nhất một hồ sơ."), {"field": "codes"})
    if len(chosen) > MAX_BATCH:
        raise ApplicationError(
            _("Mỗi lần ký tối đa %(count)s hồ sơ.") % {"count": MAX_BATCH}, {"field": "codes"}
        )
    method = signing_authorisation_check(user=leader, password=password, otp=otp)
    batch = uuid.uuid4()
    outcome = BatchOutcome()
    queue = signing_queue_for(user=leader)
    for code in chosen:
        try:
            # Through the permission-checked selector: a guessed code outside the leader's agencies is
            # "not found", exactly like one that does not exist.
            dossier = selectors.dossier_get_for_officer(user=leader, code=code)
            with transaction.atomic():
                # Row locks in the order every dossier service takes them: the dossier, then its task.
                Dossier.objects.select_for_update().filter(pk=dossier.pk).values_list("pk").first()
                task = (
                    queue.filter(dossier=dossier, status=TaskStatus.ACTIVE)
                    .select_for_update(of=("self",))
                    .first()
                )
                if task is None:
                    raise PermissionDeniedError(_("Hồ sơ không còn chờ bạn phê duyệt."))
                # The authorisation first: the approval finds it (processing → result_approval_authorise).
                signing_authorisation_grant(dossier=dossier, signer=leader, method=method, batch=batch)
                task_complete(task=task, user=leader, note="Phê duyệt và ký số theo lô")
        except ApplicationError as exc:  # NotFoundError and PermissionDeniedError included
            outcome.failed[code] = exc.message
            continue
        outcome.signed.append(code)
    return outcome
