"""Vietnamese labels for timeline actions, states and roles on staff pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from motcua.accounts.models import Role
from motcua.dossiers.workflow import DossierStatus, TimelineAction

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    if action in TimelineAction.values:
        return str(TimelineAction(action).label)
    return action


@register.filter
def status_label(status: str) -> str:
    return str(DossierStatus(status).label) if status in DossierStatus.values else status


@register.filter
def role_label(role: str) -> str:
    if role in Role.values:
        return str(Role(role).label)
    return _("Người nộp hồ sơ") if role == "applicant" else _("Hệ thống") if role == "system" else role
