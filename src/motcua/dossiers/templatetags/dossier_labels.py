"""Vietnamese labels for timeline actions, states and roles on staff pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from motcua.accounts.models import Role
from motcua.dossiers.workflow import Action, DossierStatus

register = template.Library()

_EXTRA = {
    "claim": "Nhận xử lý",
    "assign": "Phân công",
    "step_complete": "Hoàn thành bước",
    "consult": "Lấy ý kiến phối hợp",
    "apologise": "Xin lỗi, hẹn lại",
    "rate": "Đánh giá",
}


@register.filter
def action_label(action: str) -> str:
    if action in Action.values:
        return str(Action(action).label)
    return _(_EXTRA.get(action, action))


@register.filter
def status_label(status: str) -> str:
    return str(DossierStatus(status).label) if status in DossierStatus.values else status


@register.filter
def role_label(role: str) -> str:
    if role in Role.values:
        return str(Role(role).label)
    return _("Người nộp hồ sơ") if role == "applicant" else _("Hệ thống") if role == "system" else role
