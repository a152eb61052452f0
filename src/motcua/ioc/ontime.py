"""The national portal's on-time rule (domain-vn.md §1.7, Decision 766 indicator 2.1), as one pure function.

* Start = receipt date; a dossier without one is not counted.
* End of processing = the first terminal state by priority "Đã xử lý xong" (9) > "Đã trả kết quả" (10) >
  stop / refusal / withdrawal.
* While the dossier waits for the applicant's supplement, the time of that request is the end (the agency is
  not blamed for the applicant's delay) — but a second supplement request makes the dossier late.
* Supplement time (request → supplement received) is subtracted from the elapsed time; our own dossiers
  already move their appointment by the pause when the clock resumes, so for them nothing is subtracted twice
  (``appointment_includes_pauses``).
* On time when the end ≤ the appointment (``NgayHenTra``); without an appointment, the legal limit counted
  from the receipt. Early ("trước hạn") when it ends on an earlier calendar day than the appointment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class Supplement:
    requested_at: dt.datetime
    completed_at: dt.datetime | None = None


@dataclass(frozen=True)
class ClockInputs:
    received_at: dt.datetime | None
    appointment_at: dt.datetime | None
    finished_at: dt.datetime | None
    supplements: tuple[Supplement, ...] = field(default_factory=tuple)
    appointment_includes_pauses: bool = False
    legal_due_at: dt.datetime | None = None


@dataclass(frozen=True)
class ClockVerdict:
    verdict: str  # ioc.models.Verdict values
    clock_end_at: dt.datetime | None
    due_at: dt.datetime | None
    reason: str


def when(moment: dt.datetime | None) -> str:
    return moment.astimezone(VN).strftime("%d/%m/%Y %H:%M") if moment is not None else "—"


def clock_verdict(inputs: ClockInputs) -> ClockVerdict:
    due = inputs.appointment_at or inputs.legal_due_at
    if inputs.received_at is None:
        return ClockVerdict("not_counted", None, due, _("không có ngày tiếp nhận: không tính"))
    supplements = inputs.supplements
    pending = supplements[-1] if supplements and supplements[-1].completed_at is None else None
    if len(supplements) >= 2:
        second = supplements[1].requested_at
        return ClockVerdict(
            "late",
            inputs.finished_at or (pending.requested_at if pending else None) or second,
            due,
            _("quá hạn: yêu cầu bổ sung lần thứ hai lúc %(at)s") % {"at": when(second)},
        )
    end: dt.datetime | None
    if inputs.finished_at is None and pending is not None:
        end = pending.requested_at
        ended_by = _("đang chờ bổ sung, tính đến lúc yêu cầu bổ sung %(at)s") % {"at": when(end)}
    elif inputs.finished_at is not None:
        end = inputs.finished_at
        ended_by = _("kết thúc %(at)s") % {"at": when(end)}
    else:
        return ClockVerdict("open", None, due, _("đang xử lý, hẹn trả %(due)s") % {"due": when(due)})
    assert end is not None
    paused = dt.timedelta(0)
    if not inputs.appointment_includes_pauses:
        for supplement in supplements:
            if supplement.completed_at is not None:
                paused += max(dt.timedelta(0), supplement.completed_at - supplement.requested_at)
    effective = end - paused
    if paused:
        ended_by += _(", trừ %(hours).1f giờ chờ bổ sung") % {"hours": paused.total_seconds() / 3600}
    if due is None:
        return ClockVerdict("not_counted", effective, None, _("không có ngày hẹn trả và thời hạn luật định"))
    due_text = (
        _("hẹn trả %(due)s") % {"due": when(due)}
        if inputs.appointment_at is not None
        else _("không có ngày hẹn trả, thời hạn luật định đến %(due)s") % {"due": when(due)}
    )
    if effective > due:
        return ClockVerdict(
            "late", effective, due, _("quá hạn: %(end)s, %(due)s") % {"end": ended_by, "due": due_text}
        )
    early = effective.astimezone(VN).date() < due.astimezone(VN).date()
    label = _("trước hạn") if early else _("đúng hạn")
    return ClockVerdict("early" if early else "on_time", effective, due, f"{label}: {ended_by}, {due_text}")
