"""Which timeline events the applicant is told about, and in what words (sent after commit)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import translation

from motcua.core.clock import VIETNAM_TZ
from motcua.dossiers.models import Dossier
from motcua.dossiers.status import PLAIN_WORDS
from motcua.dossiers.workflow import Action

if TYPE_CHECKING:
    from motcua.notifications.models import Notification

NOTIFIED_ACTIONS = frozenset(
    {
        Action.SUBMIT,
        Action.RECEIVE,
        Action.REQUEST_INTAKE_SUPPLEMENT,
        Action.REFUSE_AT_INTAKE,
        Action.REQUEST_SUPPLEMENT,
        Action.REQUEST_PAYMENT,
        Action.ISSUE,
        Action.APPROVE_REFUSAL,
        Action.RETURN_RESULT,
        Action.STOP,
        Action.APOLOGISE,
    }
)


def dossier_notify(*, dossier: Dossier, action: str, reason: str = "") -> None:
    """Queue the applicant's messages for this event (delivered after the transaction commits)."""
    from motcua.notifications.services import notification_enqueue

    for notification in dossier_notifications_build(dossier=dossier, action=action, reason=reason):
        notification_enqueue(notification)


def dossier_notifications_build(*, dossier: Dossier, action: str, reason: str = "") -> list[Notification]:
    """The SMS and e-mail for this event, not yet saved (none for events the applicant is not told of,
    or without a phone number / address; no SMS without the applicant's consent)."""
    if action not in NOTIFIED_ACTIONS:
        return []
    from motcua.notifications.models import NotificationChannel
    from motcua.notifications.services import notification_build

    # Messages to the applicant are Vietnamese whatever language the acting officer's page is in, and
    # written with diacritics throughout (review: the SMS mixed "Ho so" with "Hồ sơ đã được tiếp nhận").
    with translation.override("vi"):
        headline = str(PLAIN_WORDS.get(action, action))
    link = f"{settings.SITE_URL}/tra-cuu/?code={dossier.code}"
    text = f"[Một Cửa] Hồ sơ {dossier.code}: {headline}."
    if dossier.appointment_at and action in (Action.RECEIVE, Action.APOLOGISE):
        text += f" Hẹn trả: {dossier.appointment_at.astimezone(VIETNAM_TZ):%H:%M %d/%m/%Y}."
    body = f"{headline}.\n\nMã hồ sơ: {dossier.code}\nThủ tục: {dossier.procedure_version.name}\n"
    if reason:
        body += f"\nNội dung: {reason}\n"
    body += f"\nTra cứu: {link}\n"
    # SMS is an optional use of the phone number: only with the applicant's explicit consent (Law
    # 91/2025/QH15 art. 9, Decree 356/2025). The e-mail carries the legally required notices.
    sms_allowed = dossier.sms_consent_at is not None
    messages = [
        notification_build(
            channel=NotificationChannel.SMS,
            recipient=dossier.applicant_phone if sms_allowed else "",
            body=text,
            dossier_code=dossier.code or "",
            event=action,
        ),
        notification_build(
            channel=NotificationChannel.EMAIL,
            recipient=dossier.applicant_email,
            subject=f"Hồ sơ {dossier.code}: {headline}",
            body=body,
            dossier_code=dossier.code or "",
            event=action,
        ),
    ]
    return [m for m in messages if m is not None]
