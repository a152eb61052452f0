"""Pauses of the legal clock (Decree 61/2018 art. 19–20, Decree 107/2021): a supplement requested during
processing (form 02), a financial obligation (DVCQG status 6), and the apology with a new appointment
(form 04). Pausing and resuming are the workflow table's ``pauses_clock`` / ``resumes_clock`` flags,
applied by ``transitions.dossier_transition``: these services only say what is asked and what was given."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from motcua.core import clock
from motcua.core.errors import ApplicationError
from motcua.dossiers import deadlines
from motcua.dossiers.events import dossier_event_record
from motcua.dossiers.models import Dossier, DossierFile, PaymentStatus
from motcua.dossiers.notify import dossier_notify
from motcua.dossiers.paperwork import paperwork
from motcua.dossiers.sensitive import component_is_identity_document, dossier_file_store
from motcua.dossiers.services.submission import files_delete
from motcua.dossiers.transitions import (
    active_task_for,
    applicant_or_clerk,
    dossier_transition,
    pause_started_at,
    require_clerk_at,
)
from motcua.dossiers.uploads import upload_check
from motcua.dossiers.workflow import Action, Actor, DossierStatus


def _items(items: Sequence[str], message: str) -> list[str]:
    clean = [item.strip() for item in items if item.strip()]
    if not clean:
        raise ApplicationError(message, {"field": "items"})
    return clean


def dossier_request_supplement(*, dossier: Dossier, officer: Any, items: Sequence[str]) -> Dossier:
    """Ask the applicant, through the one-stop unit, for what is missing; the legal clock stops.

    A second request is allowed but flagged: the national on-time rule counts such a dossier as late
    (domain-vn.md §1.7)."""
    clean = _items(
        items, "Vui lòng nêu giấy tờ cần bổ sung và lý do / List what must be supplemented and why."
    )
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        task = active_task_for(dossier, officer, {Actor.SPECIALIST, Actor.ONE_STOP_CLERK})
        dossier.supplement_requests += 1
        dossier.save(update_fields=["supplement_requests"])
        dossier_transition(
            dossier=dossier,
            action=Action.REQUEST_SUPPLEMENT,
            actor=officer,
            actor_role=task.role,
            actor_agency=task.agency,
            reason="\n".join(clean),
            data={
                "items": clean,
                "request_number": dossier.supplement_requests,
                "counts_as_late": dossier.supplement_requests > 1,
            },
        )
        paperwork().form_issue(dossier=dossier, kind="02", actor=officer)
    return dossier


def dossier_supply(
    *, dossier: Dossier, user: Any, files: Mapping[int, Sequence[UploadedFile]], note: str = ""
) -> Dossier:
    """The applicant (or the clerk for them) hands in what was asked; the clock resumes."""
    checked = {cid: [upload_check(f, field=f"component_{cid}") for f in fl] for cid, fl in files.items()}
    if not any(files.values()) and not note.strip():
        raise ApplicationError(
            "Vui lòng đính kèm giấy tờ bổ sung / Attach the supplementary documents.", {"field": "files"}
        )
    written: list[DossierFile] = []
    try:
        with transaction.atomic():
            dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
            actor_role, actor_agency = applicant_or_clerk(dossier, user)
            components = {c.catalogue_component_id: c for c in dossier.components.all()}
            for cid, uploads in files.items():
                if cid not in components:
                    raise ApplicationError(
                        "Thành phần hồ sơ không hợp lệ / Unknown component.", {"field": f"component_{cid}"}
                    )
                for upload, check in zip(uploads, checked[cid], strict=True):
                    stored = DossierFile(
                        component=components[cid],
                        original_name=upload.name or "tep",
                        content_type=check.content_type,
                        size=check.size,
                        sha256=check.sha256,
                        signature_report=check.signature_report,
                        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
                    )
                    sensitive = component_is_identity_document(components[cid])
                    dossier_file_store(stored, upload, sensitive=sensitive)
                    written.append(stored)
                    stored.save()
            action = (
                Action.SUPPLY_AT_INTAKE
                if dossier.status == DossierStatus.INTAKE_SUPPLEMENT
                else Action.SUPPLY
            )
            paused_at = pause_started_at(dossier)
            dossier_transition(
                dossier=dossier,
                action=action,
                actor=user,
                actor_role=actor_role,
                actor_agency=actor_agency,
                reason=note,
            )
            if (
                action == Action.SUPPLY
                and dossier.original_appointment_at is not None
                and paused_at is not None
            ):
                # The national rule subtracts the supplement interval, so the reference date moves too
                # (but an apology's new date never does).
                dossier.original_appointment_at = deadlines.resume_due(
                    agency=dossier.receiving_agency,
                    due_at=dossier.original_appointment_at,
                    paused_at=paused_at,
                    resumed_at=clock.now(),
                )
                dossier.save(update_fields=["original_appointment_at"])
    except BaseException:
        files_delete(written)
        raise
    return dossier


def dossier_request_payment(*, dossier: Dossier, officer: Any, items: Sequence[str]) -> Dossier:
    """Ask the applicant to fulfil a financial obligation (e.g. land levies); the clock stops like for a
    supplement (DVCQG status 6)."""
    clean = _items(items, "Vui lòng nêu khoản phải nộp / List what must be paid.")
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        task = active_task_for(dossier, officer, {Actor.SPECIALIST})
        dossier.payment_status = PaymentStatus.DUE
        dossier.save(update_fields=["payment_status"])
        dossier_transition(
            dossier=dossier,
            action=Action.REQUEST_PAYMENT,
            actor=officer,
            actor_role=task.role,
            actor_agency=task.agency,
            reason="\n".join(clean),
            data={"items": clean},
        )
    return dossier


def dossier_confirm_payment(*, dossier: Dossier, clerk: Any, reference: str) -> Dossier:
    """The one-stop unit records the payment (receipt or transaction reference); the clock resumes."""
    if not reference.strip():
        raise ApplicationError(
            "Vui lòng nhập số biên lai / Enter the receipt reference.", {"field": "reference"}
        )
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        agency = require_clerk_at(dossier, clerk)
        dossier.payment_status = PaymentStatus.PAID
        dossier.save(update_fields=["payment_status"])
        dossier_transition(
            dossier=dossier,
            action=Action.CONFIRM_PAYMENT,
            actor=clerk,
            actor_role=Actor.ONE_STOP_CLERK,
            actor_agency=agency,
            data={"reference": reference},
        )
    return dossier


def dossier_apologise(*, dossier: Dossier, officer: Any, reason: str, new_appointment_at: Any) -> Dossier:
    """Apology letter with a new appointment (form 04): before the deadline, once per dossier."""
    if not reason.strip():
        raise ApplicationError(
            "Vui lòng nêu lý do chậm / Give the reason for the delay.", {"field": "reason"}
        )
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        task = active_task_for(dossier, officer, {Actor.SPECIALIST, Actor.LEADER})
        now = clock.now()
        if dossier.apologies >= 1:
            raise ApplicationError(
                "Chỉ được hẹn lại một lần / Only one new appointment is allowed.",
                {"field": "new_appointment_at"},
            )
        if dossier.appointment_at is None or now >= dossier.appointment_at:
            raise ApplicationError(
                "Văn bản xin lỗi phải gửi trước thời hạn / The apology must be sent before the deadline.",
                {"field": "new_appointment_at"},
            )
        if new_appointment_at <= dossier.appointment_at:
            raise ApplicationError(
                "Ngày hẹn mới phải sau ngày hẹn cũ / The new appointment must be later.",
                {"field": "new_appointment_at"},
            )
        previous = dossier.appointment_at
        dossier.appointment_at = new_appointment_at
        dossier.apologies += 1
        dossier.save(update_fields=["appointment_at", "apologies"])
        dossier_event_record(
            dossier=dossier,
            action="apologise",
            actor=officer,
            actor_role=task.role,
            actor_agency=task.agency,
            from_status=dossier.status,
            to_status=dossier.status,
            reason=reason.strip(),
            data={
                "previous_appointment_at": previous.isoformat(),
                "new_appointment_at": new_appointment_at.isoformat(),
            },
        )
        dossier_notify(dossier=dossier, action="apologise", reason=reason.strip())
        paperwork().form_issue(dossier=dossier, kind="04", actor=officer)
    return dossier
