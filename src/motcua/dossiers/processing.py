"""The internal process of one dossier: tasks created from the pinned version's steps, stages (steps that
share a parallel group run together), due times from the calendar, and the dossier transitions that the
special steps trigger (approval → approved, signature/issue → issued, final one-stop step → returned)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.accounts.selectors import user_roles_at
from motcua.agencies.models import Agency
from motcua.calendar.selectors import work_calendar_for
from motcua.calendar.sources import one_stop_transfer_cutoff
from motcua.catalog.models import BudgetUnit, Channel, ProcessStep
from motcua.core import clock
from motcua.core.errors import ApplicationError, ConflictError, PermissionDeniedError, ValidationFailedError
from motcua.dossiers import deadlines
from motcua.dossiers.events import dossier_event_record
from motcua.dossiers.models import DeliveryStatus, Dossier, Task, TaskStatus
from motcua.dossiers.paperwork import SigningCredentials, paperwork
from motcua.dossiers.transitions import active_task_for, dossier_transition
from motcua.dossiers.workflow import Action, Actor, DossierStatus, TimelineAction

if TYPE_CHECKING:
    from motcua.accounts.models import User


def stages_of(steps: Sequence[ProcessStep]) -> list[list[ProcessStep]]:
    """Group ordered steps into stages: consecutive steps sharing a non-empty parallel group form one."""
    stages: list[list[ProcessStep]] = []
    for step in steps:
        if stages and step.parallel_group and stages[-1][0].parallel_group == step.parallel_group:
            stages[-1].append(step)
        else:
            stages.append([step])
    return stages


def process_start(*, dossier: Dossier, started_at: dt.datetime) -> list[Task]:
    """Create one task per step. The first step, when it is the one-stop intake, is done by the receipt."""
    steps = list(dossier.procedure_version.steps.select_related("agency").order_by("order"))
    tasks = []
    for stage_index, stage in enumerate(stages_of(steps)):
        for step in stage:
            tasks.append(
                Task(
                    dossier=dossier,
                    step=step,
                    order=stage_index,
                    name=step.name,
                    role=step.role,
                    agency=_task_agency(dossier, step),
                )
            )
    Task.objects.bulk_create(tasks)
    tasks = list(dossier.tasks.select_related("step").order_by("order", "pk"))
    if tasks and tasks[0].order == 0 and tasks[0].role == Actor.ONE_STOP_CLERK:
        # Paper received at the counter after the one-stop cut-off goes to the settling agency the next
        # working morning: that is the intake step's due time and when the next step's time starts.
        transfer_at = _paper_transfer_at(dossier, started_at)
        for task in [t for t in tasks if t.order == 0]:
            task.status = TaskStatus.DONE
            task.started_at = started_at
            task.due_at = transfer_at or deadlines.step_due(task=task, start=started_at)
            task.completed_at = started_at
            task.outcome = deadlines.outcome(finished_at=started_at, due_at=task.due_at)
            task.save()
        _activate_stage(dossier=dossier, order=1, start=transfer_at or started_at)
    else:
        _activate_stage(dossier=dossier, order=0, start=started_at)
    return tasks


def _paper_transfer_at(dossier: Dossier, received_at: dt.datetime) -> dt.datetime | None:
    """For a paper dossier received at the counter, when it reaches the settling agency
    (``calendar.sources.one_stop_transfer_cutoff``); None for electronic dossiers, transferred at once."""
    if dossier.channel != Channel.COUNTER:
        return None
    calendar = work_calendar_for(agency=dossier.receiving_agency)
    return calendar.paper_transfer_at(received_at, one_stop_transfer_cutoff())


def _task_agency(dossier: Dossier, step: ProcessStep) -> Agency:
    # Intake and return happen where the dossier was received (location-independent intake, Decree 118).
    if step.role == Actor.ONE_STOP_CLERK:
        return dossier.receiving_agency
    return step.agency


def _activate_stage(*, dossier: Dossier, order: int, start: dt.datetime) -> list[Task]:
    tasks = list(
        dossier.tasks.filter(order=order, status=TaskStatus.WAITING, is_consultation=False).select_related(
            "step"
        )
    )
    for task in tasks:
        task.status = TaskStatus.ACTIVE
        task.started_at = start
        task.due_at = deadlines.step_due(task=task, start=start)
        task.save(update_fields=["status", "started_at", "due_at"])
    return tasks


def _require_task_actor(task: Task, user: User) -> None:
    if task.role not in user_roles_at(user=user, agency=task.agency):
        raise PermissionDeniedError(
            _("Bạn không có quyền xử lý bước này."),
            {"task": task.pk, "role": task.role},
        )


def _lock(task: Task) -> Task:
    """Row locks in one order everywhere: the dossier first, then its task. (Task first in one service
    and dossier first in another deadlocked concurrent approve and send-back, reliability review F5.)"""
    Dossier.objects.select_for_update().filter(pk=task.dossier_id).values_list("pk", flat=True).first()
    return Task.objects.select_for_update(of=("self",)).select_related("step", "dossier").get(pk=task.pk)


def task_claim(*, task: Task, user: User) -> Task:
    """Take a step. Claiming a step one already holds changes nothing and records no second event."""
    with transaction.atomic():
        task = _lock(task)
        _require_task_actor(task, user)
        if task.status != TaskStatus.ACTIVE:
            raise ConflictError(_("Bước này không ở trạng thái đang xử lý."), {"task": task.pk})
        if task.assignee_id == user.pk:
            return task
        if task.assignee_id is not None:
            raise ConflictError(
                _("Bước này đã có người nhận."),
                {"assignee": task.assignee_id},
            )
        task.assignee = user
        task.save(update_fields=["assignee"])
        dossier_event_record(
            dossier=task.dossier,
            action=TimelineAction.CLAIM,
            actor=user,
            actor_role=task.role,
            actor_agency=task.agency,
            from_status=task.dossier.status,
            to_status=task.dossier.status,
            data={"task": task.pk, "step": task.name},
        )
    return task


def task_assign(*, task: Task, assignee: User, by: User) -> Task:
    """A leader hands a step to a named officer of the same agency who holds the step's role."""
    with transaction.atomic():
        task = _lock(task)
        if "leader" not in user_roles_at(user=by, agency=task.agency):
            raise PermissionDeniedError(_("Chỉ lãnh đạo đơn vị được phân công."))
        if task.role not in user_roles_at(user=assignee, agency=task.agency):
            raise ApplicationError(
                _("Người được giao không có vai trò phù hợp."),
                {"field": "assignee"},
            )
        task.assignee = assignee
        task.save(update_fields=["assignee"])
        dossier_event_record(
            dossier=task.dossier,
            action=TimelineAction.ASSIGN,
            actor=by,
            actor_role="leader",
            actor_agency=task.agency,
            from_status=task.dossier.status,
            to_status=task.dossier.status,
            data={"task": task.pk, "assignee": assignee.pk, "step": task.name},
        )
    return task


def task_complete(
    *,
    task: Task,
    user: User,
    note: str = "",
    result_number: str = "",
    credentials: SigningCredentials | None = None,
) -> Task:
    """Finish a step and move the dossier on ("chuyển bước"); special steps trigger the dossier's
    transitions. Consultations must be answered before the stage can finish.

    ``credentials``: at the approval of a result that the leader signs personally, the leader authorises
    that signature by authenticating again (password, TOTP); without it the approval is refused."""
    with transaction.atomic():
        task = _lock(task)
        dossier = task.dossier
        _require_task_actor(task, user)
        if task.status != TaskStatus.ACTIVE:
            raise ConflictError(_("Bước này không ở trạng thái đang xử lý."), {"task": task.pk})
        if dossier.status in (DossierStatus.AWAITING_SUPPLEMENT, DossierStatus.AWAITING_PAYMENT):
            raise ApplicationError(_("Hồ sơ đang tạm dừng chờ công dân."))
        if (
            not task.is_consultation
            and dossier.tasks.filter(
                is_consultation=True, status=TaskStatus.ACTIVE, order=task.order
            ).exists()
        ):
            raise ApplicationError(_("Còn ý kiến phối hợp chưa trả lời."))
        now = clock.now()
        task.status = TaskStatus.DONE
        task.completed_at = now
        task.assignee = task.assignee or user
        task.outcome = deadlines.outcome(finished_at=now, due_at=task.due_at)
        task.save(update_fields=["status", "completed_at", "assignee", "outcome"])
        dossier_event_record(
            dossier=dossier,
            action=TimelineAction.STEP_COMPLETE,
            actor=user,
            actor_role=task.role,
            actor_agency=task.agency,
            from_status=dossier.status,
            to_status=dossier.status,
            reason=note,
            data={"task": task.pk, "step": task.name, "outcome": task.outcome},
        )
        if task.is_consultation:
            return task
        _after_step(
            dossier=dossier,
            task=task,
            user=user,
            now=now,
            result_number=result_number,
            credentials=credentials,
        )
    return task


def _transition(
    dossier: Dossier, action: str, user: User, role: str, agency: Agency | None, **kw: Any
) -> None:
    dossier_transition(dossier=dossier, action=action, actor=user, actor_role=role, actor_agency=agency, **kw)


def _after_step(
    *,
    dossier: Dossier,
    task: Task,
    user: User,
    now: dt.datetime,
    result_number: str,
    credentials: SigningCredentials | None = None,
) -> None:
    step = task.step
    if step is not None and step.is_approval and dossier.status == DossierStatus.PENDING_APPROVAL:
        # The result will carry the approver's personal signature, applied at issue by the clerical
        # officer's action: the approver authorises it now, or the approval does not happen (F1).
        paperwork().result_approval_authorise(dossier=dossier, leader=user, credentials=credentials)
        _transition(dossier, Action.APPROVE, user, Actor.LEADER, task.agency)
    elif step is not None and step.is_approval and dossier.status == DossierStatus.REFUSAL_PROPOSED:
        _transition(dossier, Action.APPROVE_REFUSAL, user, Actor.LEADER, task.agency)
        _finish_processing(dossier, now)
        paperwork().form_issue(dossier=dossier, kind="03", actor=user)
    elif step is not None and step.is_signature and dossier.status == DossierStatus.APPROVED:
        # Number, render, sign and store in one call through the port; then the dossier is issued.
        number = paperwork().result_issue(dossier=dossier, clerical_officer=user, number=result_number)
        _transition(
            dossier, Action.ISSUE, user, Actor.CLERICAL_OFFICER, task.agency, data={"result_number": number}
        )
        _finish_processing(dossier, now)
    if dossier.tasks.filter(
        order=task.order, status__in=[TaskStatus.ACTIVE, TaskStatus.WAITING], is_consultation=False
    ).exists():
        return  # a parallel sibling is still working
    next_tasks = _activate_stage(dossier=dossier, order=task.order + 1, start=now)
    if not next_tasks:
        return
    next_step = next_tasks[0].step
    if next_step is not None and next_step.is_approval and dossier.status == DossierStatus.PROCESSING:
        _transition(dossier, Action.SUBMIT_FOR_APPROVAL, user, Actor.SPECIALIST, task.agency)


def _finish_processing(dossier: Dossier, now: dt.datetime) -> None:
    dossier.processing_finished_at = now
    dossier.delivery_status = DeliveryStatus.AT_DESK
    dossier.save(update_fields=["processing_finished_at", "delivery_status"])


def task_send_back(*, dossier: Dossier, leader: User, reason: str) -> Dossier:
    """The leader returns the dossier to the previous stage for rework; the approval step reopens later."""
    if not reason.strip():
        raise ApplicationError(_("Vui lòng nêu lý do trả lại."), {"field": "reason"})
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        task = active_task_for(dossier, leader, {Actor.LEADER})
        now = clock.now()
        task.status = TaskStatus.CANCELLED
        task.completed_at = now
        task.save(update_fields=["status", "completed_at"])
        previous = list(dossier.tasks.filter(order=task.order - 1, is_consultation=False))
        rework = [
            Task(
                dossier=dossier,
                step=t.step,
                order=t.order,
                name=t.name,
                role=t.role,
                agency=t.agency,
                assignee=t.assignee,
                status=TaskStatus.WAITING,
            )
            for t in previous
        ]
        Task.objects.bulk_create(rework)
        Task.objects.create(
            dossier=dossier,
            step=task.step,
            order=task.order,
            name=task.name,
            role=task.role,
            agency=task.agency,
            status=TaskStatus.WAITING,
        )
        _activate_stage(dossier=dossier, order=task.order - 1, start=now)
        _transition(dossier, Action.SEND_BACK, leader, Actor.LEADER, task.agency, reason=reason.strip())
    return dossier


def dossier_propose_refusal(*, dossier: Dossier, specialist: User, reason: str) -> Dossier:
    if not reason.strip():
        raise ApplicationError(_("Vui lòng nêu lý do đề xuất từ chối."), {"field": "reason"})
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        task = active_task_for(dossier, specialist, {Actor.SPECIALIST})
        _transition(
            dossier, Action.PROPOSE_REFUSAL, specialist, Actor.SPECIALIST, task.agency, reason=reason.strip()
        )
        now = clock.now()
        task.status = TaskStatus.DONE
        task.completed_at = now
        task.outcome = deadlines.outcome(finished_at=now, due_at=task.due_at)
        task.save(update_fields=["status", "completed_at", "outcome"])
        # Skip to the approval stage.
        approval = (
            dossier.tasks.filter(step__is_approval=True, status=TaskStatus.WAITING).order_by("order").first()
        )
        if approval is None:
            raise ApplicationError(_("Quy trình không có bước phê duyệt."))
        dossier.tasks.filter(order__lt=approval.order, status=TaskStatus.WAITING).update(
            status=TaskStatus.CANCELLED
        )
        _activate_stage(dossier=dossier, order=approval.order, start=now)
    return dossier


def consultation_request(
    *, dossier: Dossier, specialist: User, agency: Agency, question: str, budget_value: Any, budget_unit: str
) -> Task:
    """Ask another agency for its opinion in parallel (liên thông); it has its own budget."""
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        own = active_task_for(dossier, specialist, {Actor.SPECIALIST})
        if agency.pk == own.agency_id:
            raise ApplicationError(_("Chọn một cơ quan khác để xin ý kiến."), {"field": "agency"})
        _consulted_agency_check(agency)
        budget = _consultation_budget(budget_value, budget_unit)
        now = clock.now()
        task = Task(
            dossier=dossier,
            order=own.order,
            name=f"Phối hợp: {question.strip()[:200]}",
            role=Actor.SPECIALIST,
            agency=agency,
            status=TaskStatus.ACTIVE,
            is_consultation=True,
            started_at=now,
        )
        task.due_at = deadlines.budget_due(agency=agency, start=now, value=budget, unit=budget_unit)
        task.save()
        dossier_event_record(
            dossier=dossier,
            action=TimelineAction.CONSULT,
            actor=specialist,
            actor_role=Actor.SPECIALIST,
            actor_agency=own.agency,
            from_status=dossier.status,
            to_status=dossier.status,
            reason=question.strip(),
            data={"agency": agency.code, "task": task.pk, "due_at": task.due_at.isoformat()},
        )
    return task


# A consultation answers within weeks; a longer budget is a typing error (and 1e300 days overflows dates).
CONSULTATION_BUDGET_MAX = {BudgetUnit.WORKING_DAYS: 60, BudgetUnit.DAYS: 90, BudgetUnit.HOURS: 480}


def _consultation_budget(value: Any, unit: str) -> Decimal:
    try:
        budget = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailedError(_("Thời hạn trả lời không hợp lệ."), {"field": "budget_value"}) from exc
    if unit not in CONSULTATION_BUDGET_MAX:
        raise ValidationFailedError(_("Đơn vị thời hạn không hợp lệ."), {"field": "budget_unit"})
    if not budget.is_finite() or not 0 < budget <= CONSULTATION_BUDGET_MAX[BudgetUnit(unit)]:
        raise ValidationFailedError(_("Thời hạn trả lời không hợp lệ."), {"field": "budget_value"})
    return budget


def _consulted_agency_check(agency: Agency) -> None:
    """Only an agency in force today with a specialist can answer: an abolished district's consultation
    would stay open for ever and block the stage (security review F10)."""
    from motcua.accounts.models import StaffRole
    from motcua.agencies.selectors import agency_ancestors

    today = clock.local_today()
    has_specialist = (
        StaffRole.objects.active_on(today)
        .filter(agency__in=agency_ancestors(agency), role=Actor.SPECIALIST, user__is_active=True)
        .exists()
    )
    abolished = agency.valid_to is not None and agency.valid_to < today
    if abolished or not has_specialist:
        raise ApplicationError(
            _("Cơ quan này không còn hoạt động hoặc chưa có cán bộ tiếp nhận ý kiến."), {"field": "agency"}
        )


def result_draft_save(*, dossier: Dossier, specialist: User, values: dict[str, str]) -> dict[str, str]:
    """The specialist who holds the active appraisal step drafts the result's variable content (the
    result template's fields, validated by the signatures app through the port). Every save is a
    timeline event with the values saved."""
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        task = active_task_for(dossier, specialist, {Actor.SPECIALIST})
        if dossier.status != DossierStatus.PROCESSING:
            raise ApplicationError(
                "Chỉ soạn dự thảo kết quả khi hồ sơ đang được thẩm định.", {"status": dossier.status}
            )
        cleaned = paperwork().result_draft_save(dossier=dossier, author=specialist, values=values)
        dossier_event_record(
            dossier=dossier,
            action=TimelineAction.RESULT_DRAFT,
            actor=specialist,
            actor_role=Actor.SPECIALIST,
            actor_agency=task.agency,
            from_status=dossier.status,
            to_status=dossier.status,
            data={"task": task.pk, "values": cleaned},
        )
    return cleaned
