"""Status as people and national systems see it: the national code (from the mapping table, with the
workflow's defaults as fall-back) and a public summary in plain words with the countdown."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.utils.translation import gettext_lazy as _

from motcua.core import clock
from motcua.dossiers.models import Dossier, StatusCodeMapping
from motcua.dossiers.workflow import DEFAULT_NATIONAL_CODES, Action, DossierStatus

# What the applicant reads on the public tracking page for each timeline action.
PLAIN_WORDS: dict[str, Any] = {  # lazy: each reader gets its own language
    Action.SUBMIT: _("Hồ sơ đã được nộp"),
    Action.RECEIVE: _("Hồ sơ đã được tiếp nhận"),
    Action.REQUEST_INTAKE_SUPPLEMENT: _("Cần bổ sung hồ sơ trước khi tiếp nhận"),
    Action.SUPPLY_AT_INTAKE: _("Đã bổ sung hồ sơ"),
    Action.REFUSE_AT_INTAKE: _("Hồ sơ không được tiếp nhận"),
    Action.START_PROCESSING: _("Hồ sơ được chuyển đến cơ quan giải quyết"),
    Action.REQUEST_SUPPLEMENT: _("Cơ quan giải quyết yêu cầu bổ sung giấy tờ"),
    Action.SUPPLY: _("Đã bổ sung giấy tờ, hồ sơ tiếp tục được xử lý"),
    Action.REQUEST_PAYMENT: _("Yêu cầu thực hiện nghĩa vụ tài chính"),
    Action.CONFIRM_PAYMENT: _("Đã thực hiện nghĩa vụ tài chính"),
    Action.SUBMIT_FOR_APPROVAL: _("Hồ sơ đang chờ lãnh đạo phê duyệt"),
    Action.SEND_BACK: _("Hồ sơ được xem xét lại"),
    Action.APPROVE: _("Lãnh đạo đã phê duyệt"),
    Action.PROPOSE_REFUSAL: _("Hồ sơ đang được xem xét"),
    Action.APPROVE_REFUSAL: _("Cơ quan có thẩm quyền từ chối giải quyết"),
    Action.ISSUE: _("Đã có kết quả giải quyết"),
    Action.RETURN_RESULT: _("Đã trả kết quả"),
    Action.WITHDRAW: _("Người nộp đã rút hồ sơ"),
    Action.STOP: _("Hồ sơ đã dừng xử lý"),
    Action.APOLOGISE: _("Cơ quan giải quyết xin lỗi và hẹn lại ngày trả kết quả"),
    Action.POST_ORDER: _("Đã đăng ký chuyển phát qua bưu chính công ích"),
    Action.POST_TRACKING: _("Bưu chính cập nhật hành trình bưu gửi"),
}


_MAPPING_TTL = 60.0
_mapping_cache: tuple[float, dt.date, dict[str, int]] | None = None


def _mappings(today: dt.date) -> dict[str, int]:
    """The mapping in force today, cached for a minute (it changes when the law does, not per request)."""
    global _mapping_cache
    now = time.monotonic()
    if _mapping_cache is not None and now - _mapping_cache[0] < _MAPPING_TTL and _mapping_cache[1] == today:
        return _mapping_cache[2]
    result: dict[str, int] = {}
    rows = (
        StatusCodeMapping.objects.filter(valid_from__lte=today)
        .exclude(valid_to__lt=today)
        .order_by("valid_from")
    )
    for status, code in rows.values_list("status", "national_code"):
        result[status] = int(code)
    _mapping_cache = (now, today, result)
    return result


def national_status_code(status: str) -> int:
    return _mappings(clock.local_today()).get(status, DEFAULT_NATIONAL_CODES.get(status, 0))


def dossier_status_public(dossier: Dossier) -> dict[str, Any]:
    """No personal data beyond what the applicant already knows: no names, no files."""
    return public_status_summary(
        code=dossier.code or "",
        status=dossier.status,
        received_at=dossier.received_at,
        appointment_at=dossier.appointment_at,
        returned_at=dossier.returned_at,
        procedure_name=dossier.procedure_version.name,
        events=list(
            dossier.events.filter(action__in=list(PLAIN_WORDS))
            .order_by("at", "pk")
            .values_list("action", "at")
        ),
    )


def public_status_summary(
    *,
    code: str,
    status: str,
    received_at: dt.datetime | None,
    appointment_at: dt.datetime | None,
    returned_at: dt.datetime | None,
    procedure_name: str,
    events: list[tuple[str, dt.datetime]],
) -> dict[str, Any]:
    now = clock.now()
    remaining_seconds = None
    if appointment_at is not None and status not in (
        DossierStatus.RETURNED,
        DossierStatus.WITHDRAWN,
        DossierStatus.REFUSED_AT_INTAKE,
        DossierStatus.STOPPED,
    ):
        remaining_seconds = int((appointment_at - now).total_seconds())
    return {
        "code": code,
        "procedure": procedure_name,
        "status": status,
        "status_label": DossierStatus(status).label,
        "national_status_code": national_status_code(status),
        "received_at": received_at,
        "appointment_at": appointment_at,
        "returned_at": returned_at,
        "remaining_seconds": remaining_seconds,
        "timeline": [{"at": at, "text": str(PLAIN_WORDS[action]), "action": action} for action, at in events],
    }


def dossier_status_lookup(*, code: str, factor: str, client: str) -> dict[str, Any]:
    """The public look-up with its throttles (review F2): after MOTCUA_THROTTLE_LOOKUP_PER_CODE failures
    for one code, or MOTCUA_THROTTLE_LOOKUP_PER_IP failures from one address, every try — the right
    factor included — is refused (ThrottledError, 429) until the window ends.

    Only failures count, so the national portal and SMS bots asking many right questions are not slowed;
    the check costs one cache read."""
    from motcua.core.errors import NotFoundError
    from motcua.core.throttle import LOOKUP_PER_CODE, LOOKUP_PER_IP, throttle_check, throttle_hit
    from motcua.dossiers.selectors import dossier_status_public_lookup

    checks = [(LOOKUP_PER_CODE, code.strip()), (LOOKUP_PER_IP, client)]
    throttle_check(checks)
    try:
        return dossier_status_public_lookup(code=code, second_factor=factor)
    except NotFoundError:
        throttle_hit(checks)
        raise
