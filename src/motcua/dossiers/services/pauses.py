"""Pauses of the legal clock (Decree 61/2018 art. 19–20, Decree 107/2021): a supplement requested during
processing (form 02), a financial obligation (DVCQG status 6), and the apology with a new appointment
(form 04). Pausing and resuming are the workflow table's ``pauses_clock`` / ``resumes_clock`` flags,
applied by ``transitions.dossier_transition``: these services only say what is asked and what was given."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from motcua.accounts.selectors import user_roles_at
from motcua.agencies.models import Agency
from motcua.calendar.selectors import work_calendar_for
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
from motcua.dossiers.workflow import (
    Action,
    Actor,
    DossierStatus,
    TimelineAction,
    TransitionNotAllowed,
    find_transition,
)

if TYPE_CHECKING:
    from motcua.accounts.models import User


def _items(items: Sequence[str], message: str) -> list[str]:
    clean = [item.strip() for item in items if item.strip()]
    if not clean:
        raise ApplicationError(message, {"field": "items"})
    return clean


def dossier_request_supplement(
    *, dossier: Dossier, officer: User, items: Sequence[str], second_request_reason: str = ""
) -> Dossier:
    """Ask the applicant, through the one-stop unit, for what is missing; the legal clock stops.

    Staff may ask only once (Decree 118/2025 art. 12). A second request is refused unless a leader of
    the competent agency makes it with the reason why one more is needed (recorded on the timeline);
    it is then flagged, because the national on-time rule counts such a dossier as late
    (domain-vn.md §1.7, index 766)."""
    clean = _items(items, _("Vui lòng nêu giấy tờ cần bổ sung và lý do."))
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if find_transition(Action.REQUEST_SUPPLEMENT, dossier.status) is None:
            # Asked already (a double click, a colleague at the same moment): the state has moved on.
            raise TransitionNotAllowed(Action.REQUEST_SUPPLEMENT, dossier.status, Actor.SPECIALIST)
        data: dict[str, Any] = {"items": clean}
        if dossier.supplement_requests >= 1:
            actor_agency = _second_request_approver(dossier, officer, second_request_reason)
            actor_role: str = Actor.LEADER
            data["leader_approval_reason"] = second_request_reason.strip()
        else:
            task = active_task_for(dossier, officer, {Actor.SPECIALIST, Actor.ONE_STOP_CLERK})
            actor_role, actor_agency = task.role, task.agency
        dossier.supplement_requests += 1
        dossier.save(update_fields=["supplement_requests"])
        dossier_transition(
            dossier=dossier,
            action=Action.REQUEST_SUPPLEMENT,
            actor=officer,
            actor_role=actor_role,
            actor_agency=actor_agency,
            reason="\n".join(clean),
            data={
                **data,
                "request_number": dossier.supplement_requests,
                "counts_as_late": dossier.supplement_requests > 1,
            },
        )
        paperwork().form_issue(dossier=dossier, kind="02", actor=officer)
    return dossier


def _second_request_approver(dossier: Dossier, officer: User, reason: str) -> Agency:
    """The agency in whose name a second supplement request is made: only a leader of the competent
    agency, and only with a reason."""
    if Actor.LEADER not in user_roles_at(user=officer, agency=dossier.competent_agency):
        raise ApplicationError(
            _(
                "Hồ sơ đã được yêu cầu bổ sung một lần (Điều 12 Nghị định 118/2025/NĐ-CP). Yêu cầu bổ sung "
                "lần hai phải do lãnh đạo cơ quan giải quyết phê duyệt và nêu rõ lý do; hồ sơ sẽ bị tính "
                "là trễ hạn."
            ),
            {"field": "items", "supplement_requests": dossier.supplement_requests},
        )
    if not reason.strip():
        raise ApplicationError(
            _("Vui lòng nêu lý do phải yêu cầu bổ sung lần hai."),
            {"field": "second_request_reason"},
        )
    return dossier.competent_agency


def dossier_supply(
    *, dossier: Dossier, user: User, files: Mapping[int, Sequence[UploadedFile[bytes]]], note: str = ""
) -> Dossier:
    """The applicant (or the clerk for them) hands in what was asked; the clock resumes."""
    checked = {cid: [upload_check(f, field=f"component_{cid}") for f in fl] for cid, fl in files.items()}
    if not any(files.values()) and not note.strip():
        raise ApplicationError(_("Vui lòng đính kèm giấy tờ bổ sung."), {"field": "files"})
    written: list[DossierFile] = []
    try:
        with transaction.atomic():
            dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
            actor_role, actor_agency = applicant_or_clerk(dossier, user)
            components = {c.catalogue_component_id: c for c in dossier.components.all()}
            for cid, uploads in files.items():
                if cid not in components:
                    raise ApplicationError(_("Thành phần hồ sơ không hợp lệ."), {"field": f"component_{cid}"})
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


def dossier_request_payment(*, dossier: Dossier, officer: User, items: Sequence[str]) -> Dossier:
    """Ask the applicant to fulfil a financial obligation (e.g. land levies); the clock stops like for a
    supplement (DVCQG status 6)."""
    clean = _items(items, _("Vui lòng nêu khoản phải nộp."))
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


def dossier_confirm_payment(*, dossier: Dossier, clerk: User, reference: str) -> Dossier:
    """The one-stop unit records the payment (receipt or transaction reference); the clock resumes."""
    if not reference.strip():
        raise ApplicationError(_("Vui lòng nhập số biên lai."), {"field": "reference"})
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


def dossier_apologise(*, dossier: Dossier, officer: User, reason: str, new_appointment_at: Any) -> Dossier:
    """Apology letter with the extension asked (form 04): once per dossier, with the reason and the new
    appointment, and no later than the working day before the appointment's day — refused on the last
    working day and after (post-Decree 118/2025 provincial one-stop rules; legal-review.md 4.6)."""
    if not reason.strip():
        raise ApplicationError(_("Vui lòng nêu lý do chậm."), {"field": "reason"})
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        task = active_task_for(dossier, officer, {Actor.SPECIALIST, Actor.LEADER})
        now = clock.now()
        if dossier.apologies >= 1:
            raise ApplicationError(
                _("Chỉ được hẹn lại một lần."),
                {"field": "new_appointment_at"},
            )
        if dossier.appointment_at is None or now >= dossier.appointment_at:
            raise ApplicationError(
                _("Văn bản xin lỗi phải gửi trước thời hạn."),
                {"field": "new_appointment_at"},
            )
        calendar = work_calendar_for(agency=dossier.receiving_agency)
        last_day = calendar.previous_working_day(calendar.local(dossier.appointment_at).date())
        # After office hours the working day has ended: what counts is the day an act done now takes effect.
        if calendar.effective_receipt(now).date() > last_day:
            raise ApplicationError(
                _(
                    "Văn bản xin lỗi và đề nghị gia hạn phải gửi chậm nhất trước 01 ngày làm việc so "
                    "với ngày hẹn trả kết quả, tức là trong ngày %(day)s. Đã quá thời điểm này, không thể "
                    "gia hạn."
                )
                % {"day": f"{last_day:%d/%m/%Y}"},
                {"field": "new_appointment_at", "last_day": last_day.isoformat()},
            )
        if new_appointment_at <= dossier.appointment_at:
            raise ApplicationError(
                _("Ngày hẹn mới phải sau ngày hẹn cũ."),
                {"field": "new_appointment_at"},
            )
        previous = dossier.appointment_at
        dossier.appointment_at = new_appointment_at
        dossier.apologies += 1
        dossier.save(update_fields=["appointment_at", "apologies"])
        dossier_event_record(
            dossier=dossier,
            action=TimelineAction.APOLOGISE,
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
        dossier_notify(dossier=dossier, action=TimelineAction.APOLOGISE, reason=reason.strip())
        paperwork().form_issue(dossier=dossier, kind="04", actor=officer)
    return dossier
