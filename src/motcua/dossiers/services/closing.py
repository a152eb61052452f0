"""Closing a dossier: the result handed over (counter, post, online), the applicant's withdrawal (form 05
when it was already received), the stop notice (form 05) — by the receiving one-stop unit on the
applicant's request, or by the competent agency's leader — and the applicant's rating."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.accounts.selectors import user_roles_at
from motcua.core import clock
from motcua.core.errors import ApplicationError, ConflictError
from motcua.dossiers.events import dossier_event_record
from motcua.dossiers.models import (
    DeliveryStatus,
    Dossier,
    Rating,
    RatingLevel,
    ReturnMethod,
    Task,
    TaskStatus,
)
from motcua.dossiers.paperwork import paperwork
from motcua.dossiers.registries import registries
from motcua.dossiers.selectors import rating_criteria_in_force
from motcua.dossiers.transitions import dossier_transition, require_clerk_at
from motcua.dossiers.workflow import Action, Actor, TimelineAction, can_rate

if TYPE_CHECKING:
    from motcua.accounts.models import User


def dossier_return_result(
    *, dossier: Dossier, clerk: User, method: str, recipient: str, note: str = ""
) -> Dossier:
    """Hand the result over (counter, post or online) and record who received it."""
    if method not in ReturnMethod.values:
        raise ApplicationError(_("Hình thức trả kết quả không hợp lệ."), {"field": "method"})
    if not recipient.strip():
        raise ApplicationError(_("Vui lòng ghi tên người nhận."), {"field": "recipient"})
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        agency = require_clerk_at(dossier, clerk)
        now = clock.now()
        for task in Task.objects.filter(dossier=dossier, status__in=[TaskStatus.ACTIVE, TaskStatus.WAITING]):
            task.status = TaskStatus.DONE if task.status == TaskStatus.ACTIVE else TaskStatus.CANCELLED
            task.completed_at = now
            task.save(update_fields=["status", "completed_at"])
        dossier.returned_at = now
        dossier.return_method = method
        # By post the result is handed to the postal service: delivered when its tracking says so.
        by_post = method == ReturnMethod.POST
        dossier.delivery_status = DeliveryStatus.IN_TRANSIT if by_post else DeliveryStatus.DELIVERED
        dossier.save(update_fields=["returned_at", "return_method", "delivery_status"])
        dossier_transition(
            dossier=dossier,
            action=Action.RETURN_RESULT,
            actor=clerk,
            actor_role=Actor.ONE_STOP_CLERK,
            actor_agency=agency,
            reason=note,
            data={"method": method, "recipient": recipient.strip()},
        )
        if by_post:
            # A delivery order in the postal outbox, sent after commit (dossiers.registries contract).
            registries().post_order_request(dossier=dossier, kind="delivery", actor=clerk)
    return dossier


def dossier_withdraw(*, dossier: Dossier, user: User, reason: str) -> Dossier:
    if dossier.applicant_user_id is None or getattr(user, "pk", None) != dossier.applicant_user_id:
        raise ApplicationError(_("Chỉ chủ hồ sơ được rút hồ sơ."))
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        dossier_transition(
            dossier=dossier,
            action=Action.WITHDRAW,
            actor=user,
            actor_role=Actor.APPLICANT,
            actor_agency=None,
            reason=reason.strip(),
        )
        if dossier.received_at is not None and dossier.processing_finished_at is None:
            dossier.processing_finished_at = clock.now()
            dossier.save(update_fields=["processing_finished_at"])
            paperwork().form_issue(dossier=dossier, kind="05", actor=user)
    return dossier


def dossier_rate(*, dossier: Dossier, user: User, scores: Mapping[str, int], comment: str = "") -> Any:
    """The applicant rates the service once, on the criteria in force (RatingCriterion)."""
    if dossier.applicant_user_id is None or getattr(user, "pk", None) != dossier.applicant_user_id:
        raise ApplicationError(_("Chỉ chủ hồ sơ được đánh giá."))
    if not can_rate(dossier.status):
        raise ConflictError(_("Chỉ đánh giá khi hồ sơ đã có kết quả."))
    criteria = rating_criteria_in_force()
    errors = {}
    clean: dict[str, int] = {}
    for criterion in criteria:
        value = scores.get(criterion.code)
        if value is None or int(value) not in RatingLevel.values:
            errors[criterion.code] = _("Vui lòng chọn mức đánh giá.")
        else:
            clean[criterion.code] = int(value)
    if errors:
        raise ApplicationError(_("Vui lòng đánh giá đủ các tiêu chí."), {"fields": errors})
    with transaction.atomic():
        if Rating.objects.filter(dossier=dossier).exists():
            raise ConflictError(_("Hồ sơ đã được đánh giá."))
        rating = Rating.objects.create(
            dossier=dossier, scores=clean, comment=comment.strip(), rated_at=clock.now()
        )
        dossier_event_record(
            dossier=dossier,
            action=TimelineAction.RATE,
            actor=user,
            actor_role=Actor.APPLICANT,
            actor_agency=None,
            from_status=dossier.status,
            to_status=dossier.status,
            data={"scores": clean},
        )
    return rating


def dossier_stop(*, dossier: Dossier, leader: User, reason: str) -> Dossier:
    """The competent agency stops processing with a notice (form 05; DVCQG status 8)."""
    if not reason.strip():
        raise ApplicationError(_("Vui lòng nêu lý do dừng xử lý."), {"field": "reason"})
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if "leader" not in user_roles_at(user=leader, agency=dossier.competent_agency):
            raise ApplicationError(_("Chỉ lãnh đạo cơ quan giải quyết được dừng xử lý."))
        _stop(dossier, actor=leader, role=Actor.LEADER, agency=dossier.competent_agency, reason=reason)
    return dossier


def dossier_stop_on_request(*, dossier: Dossier, clerk: User, reason: str) -> Dossier:
    """The applicant asks to stop (Decree 118/2025 art. 21): the one-stop unit that received the dossier
    issues the stop notice (form 05, Circular 03/2025/TT-VPCP art. 7; DVCQG status 8). ``reason`` is
    the applicant's request as the clerk records it."""
    if not reason.strip():
        raise ApplicationError(
            _("Vui lòng ghi nội dung đề nghị dừng của người nộp."),
            {"field": "reason"},
        )
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        agency = require_clerk_at(dossier, clerk)
        _stop(
            dossier,
            actor=clerk,
            role=Actor.ONE_STOP_CLERK,
            agency=agency,
            reason=reason,
            data={"requested_by": "applicant"},
        )
    return dossier


def _stop(
    dossier: Dossier, *, actor: User, role: str, agency: Any, reason: str, data: dict[str, Any] | None = None
) -> None:
    dossier_transition(
        dossier=dossier,
        action=Action.STOP,
        actor=actor,
        actor_role=role,
        actor_agency=agency,
        reason=reason.strip(),
        data=data,
    )
    now = clock.now()
    dossier.processing_finished_at = now
    dossier.save(update_fields=["processing_finished_at"])
    Task.objects.filter(dossier=dossier, status__in=[TaskStatus.ACTIVE, TaskStatus.WAITING]).update(
        status=TaskStatus.CANCELLED, completed_at=now
    )
    paperwork().form_issue(dossier=dossier, kind="05", actor=actor)
