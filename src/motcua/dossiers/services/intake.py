"""Intake at the one-stop unit (Decree 61/2018 art. 18–19): receive a dossier (the legal clock starts and
the internal process begins), ask for a supplement at intake (form 02), refuse (form 03), and a paper
dossier received at the counter in one step."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.accounts.selectors import user_roles_at
from motcua.catalog.models import Channel
from motcua.core import clock
from motcua.core.errors import ApplicationError
from motcua.dossiers.deadlines import appointment_compute
from motcua.dossiers.models import Dossier
from motcua.dossiers.paperwork import paperwork
from motcua.dossiers.processing import process_start
from motcua.dossiers.services.submission import SubmissionData, dossier_submit
from motcua.dossiers.transitions import dossier_transition, require_clerk_at
from motcua.dossiers.workflow import Action, Actor, DossierStatus


def dossier_receive(*, dossier: Dossier, clerk: User, reason: str = "") -> Dossier:
    """Accept a complete, valid dossier: the legal clock starts, the appointment is computed from the
    pinned procedure version and the receiving centre's calendar, and the internal process starts."""
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        agency = require_clerk_at(dossier, clerk)
        missing = [
            c.name
            for c in dossier.components.select_related("catalogue_component")
            if c.catalogue_component is not None
            and c.catalogue_component.required
            and not c.received
            and not c.files.exists()
        ]
        if missing:
            raise ApplicationError(
                _("Hồ sơ còn thiếu thành phần bắt buộc: %(names)s") % {"names": "; ".join(missing)},
                {"missing": missing},
            )
        now = clock.now()
        dossier.received_at = now
        dossier.appointment_at = appointment_for(dossier=dossier, received_at=now)
        dossier.original_appointment_at = dossier.appointment_at
        dossier.save(update_fields=["received_at", "appointment_at", "original_appointment_at"])
        dossier.components.update(received=True)
        dossier_transition(
            dossier=dossier,
            action=Action.RECEIVE,
            actor=clerk,
            actor_role=Actor.ONE_STOP_CLERK,
            actor_agency=agency,
            reason=reason,
            data={"appointment_at": dossier.appointment_at.isoformat()},
        )
        # Electronic dossiers are transferred to the competent agency at once (Decree 61/2018 art. 19).
        dossier_transition(
            dossier=dossier,
            action=Action.START_PROCESSING,
            actor=None,
            actor_role=Actor.SYSTEM,
            actor_agency=None,
        )
        process_start(dossier=dossier, started_at=now)
        # The receipt is issued by the receiving official's own action, so their key signs it here.
        paperwork().receipt_issue(dossier=dossier, clerk=clerk)
    return dossier


def appointment_for(*, dossier: Dossier, received_at: Any) -> Any:
    return appointment_compute(
        version=dossier.procedure_version, agency=dossier.receiving_agency, received_at=received_at
    )


def dossier_request_intake_supplement(*, dossier: Dossier, clerk: User, items: Sequence[str]) -> Dossier:
    """One consolidated list of what to add or correct, each with its reason (form 02)."""
    clean = [item.strip() for item in items if item.strip()]
    if not clean:
        raise ApplicationError(
            _("Vui lòng nêu giấy tờ cần bổ sung và lý do."),
            {"field": "items"},
        )
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        agency = require_clerk_at(dossier, clerk)
        dossier_transition(
            dossier=dossier,
            action=Action.REQUEST_INTAKE_SUPPLEMENT,
            actor=clerk,
            actor_role=Actor.ONE_STOP_CLERK,
            actor_agency=agency,
            reason="\n".join(clean),
            data={"items": clean},
        )
        paperwork().form_issue(dossier=dossier, kind="02", actor=clerk)
    return dossier


def dossier_refuse_at_intake(*, dossier: Dossier, clerk: User, reason: str) -> Dossier:
    if not reason.strip():
        raise ApplicationError(_("Vui lòng nêu lý do từ chối."), {"field": "reason"})
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        agency = require_clerk_at(dossier, clerk)
        dossier_transition(
            dossier=dossier,
            action=Action.REFUSE_AT_INTAKE,
            actor=clerk,
            actor_role=Actor.ONE_STOP_CLERK,
            actor_agency=agency,
            reason=reason.strip(),
        )
        paperwork().form_issue(dossier=dossier, kind="03", actor=clerk)
    return dossier


def dossier_receive_at_counter(
    *, clerk: User, data: SubmissionData, received_component_ids: Sequence[int], idempotency_key: str = ""
) -> Dossier:
    """A paper dossier at the one-stop counter: the clerk records which components were handed in and
    attaches the scans; the dossier gets its code and is received in one transaction."""
    receiving = data.receiving_agency
    if receiving is None or "one_stop_clerk" not in user_roles_at(user=clerk, agency=receiving):
        raise ApplicationError(
            _("Bạn không có quyền tiếp nhận tại đơn vị này."),
            {"field": "receiving_agency"},
        )
    data.channel = Channel.COUNTER
    if data.applicant_user is None and data.applicant.id_number:
        data.applicant_user = User.objects.filter(national_id=data.applicant.id_number.strip()).first()
    required = {c.pk for c in data.version.components.all() if c.required}
    missing = required - set(received_component_ids) - {cid for cid, f in data.files.items() if f}
    if missing:
        names = [c.name for c in data.version.components.filter(pk__in=missing)]
        raise ApplicationError(
            _("Hồ sơ còn thiếu thành phần bắt buộc: %(names)s") % {"names": "; ".join(names)},
            {"fields": {f"component_{cid}": _("Thiếu") for cid in missing}},
        )
    with transaction.atomic():
        dossier = dossier_submit(data=data, user=clerk, idempotency_key=idempotency_key)
        if dossier.status != DossierStatus.SUBMITTED:
            return dossier  # an idempotent retry
        dossier.components.filter(catalogue_component_id__in=received_component_ids).update(received=True)
        dossier = dossier_receive(dossier=dossier, clerk=clerk)
    return dossier
