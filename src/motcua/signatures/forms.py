"""The data of each statutory form (Circular 03/2025/TT-VPCP, forms 01–07) and of the result documents,
taken from a dossier. Builders take plain model objects and return JSON-able dicts; the typst templates
only lay them out (Decree 30/2020 presentation, ``typst/decree30.typ``).

The catalogue of forms (title, template, register symbol, which events issue it) is data:
``data/forms.json``."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import segno
from django.conf import settings
from django.db.models import Q

from motcua.agencies.models import Agency
from motcua.catalog.models import LegalBasis, ProcedureVersion, ResultType
from motcua.core.clock import VIETNAM_TZ
from motcua.dossiers.models import ApplicantKind, Dossier, DossierEvent, Task, TaskStatus
from motcua.dossiers.workflow import Action, DossierStatus
from motcua.signatures.appearance import SIGNATURE_SPACE_MM

if TYPE_CHECKING:
    from motcua.accounts.models import User


def _moment(value: Any) -> str:
    local = value.astimezone(VIETNAM_TZ)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def receipt_data(dossier: Dossier) -> dict[str, Any]:
    """Form 01: receipt and appointment slip, with the entry it takes in the receiving unit's register."""
    version = dossier.procedure_version
    agency = dossier.receiving_agency
    event = dossier.events.filter(action="receive").select_related("actor").first()
    limit_value = format(version.time_limit_value.normalize(), "f")
    return {
        **letterhead(
            agency=agency,
            title=FORMS["01"].title,
            number=receipt_number(dossier),
            when=dossier.received_at or dossier.submitted_at or dossier.created_at,
            qr_url=tracking_url(dossier),
            qr_caption="Quét mã QR để tra cứu tình trạng hồ sơ",
        ),
        "lookup_secret": dossier.lookup_secret_shown,  # the public look-up's second factor
        **_applicant(dossier),
        "components": [
            f"{c.name} ({c.originals} bản chính, {c.copies} bản sao)" for c in dossier.components.all()
        ],
        "sets": "01",  # one dossier, one set: the system keeps a dossier per request
        "limit": f"{limit_value} {version.get_time_limit_unit_display().lower()}",
        "received": _moment(dossier.received_at) if dossier.received_at else "",
        "appointment": _moment(dossier.appointment_at) if dossier.appointment_at else "",
        "return_method": dossier.get_return_method_display(),
        "register": register_entry(dossier),
        "receiver": str(event.actor) if event and event.actor else "",
    }


def receipt_number(dossier: Dossier) -> str:
    """ "0001/TTPVHCC": the sequence of the dossier code at the receiving unit, then its abbreviation."""
    agency = dossier.receiving_agency
    return f"{(dossier.code or '').rsplit('-', 1)[-1]}/{agency.abbreviation or 'TN'}"


def register_entry(dossier: Dossier) -> dict[str, Any]:
    """Form 01's "Vào Sổ … Quyển số … Số thứ tự": the receiving unit keeps one dossier register a year
    (form 07), so the book is the year of receipt and the entry the dossier's rank among the dossiers the
    unit received that year (ties on the same instant broken by id, as the register lists them)."""
    if dossier.received_at is None:
        return {"book": "", "entry": 0}
    year = dossier.received_at.astimezone(VIETNAM_TZ).year
    entry = (
        Dossier.objects.filter(
            receiving_agency_id=dossier.receiving_agency_id,
            received_at__gte=dt.datetime(year, 1, 1, tzinfo=VIETNAM_TZ),
        )
        .filter(
            Q(received_at__lt=dossier.received_at) | Q(received_at=dossier.received_at, pk__lte=dossier.pk)
        )
        .count()
    )
    return {"book": str(year), "entry": entry}


def _register_symbol(kind: str, agency: Agency) -> str:
    return f"{FORMS[kind].symbol}-{agency.abbreviation or agency.code}"


# --- The catalogue of forms -------------------------------------------------------------------------


@dataclass(frozen=True)
class FormSpec:
    code: str  # "02" … the number of the form in Circular 03/2025; also IssuedDocument.kind
    title: str
    short: str  # the form's name in sentence case, for links and lists
    template: str
    symbol: str  # register symbol ("PBS" → "01/PBS-TTPVHCC"); "" when the form is not numbered
    stored: bool  # issued once and kept as an IssuedDocument (02–05) or rendered on demand (01, 06, 07)
    actions: tuple[str, ...]  # the timeline actions that issue it
    issuer: str  # "receiving" / "competent": whose form it is when the event names no agency
    file_stem: str
    summary: str = ""


FORMS_FILE = Path(__file__).parent / "data" / "forms.json"


def _forms_load() -> dict[str, FormSpec]:
    doc = json.loads(FORMS_FILE.read_text(encoding="utf-8"))
    specs = {}
    for item in doc["forms"]:
        item = {**item, "actions": tuple(item["actions"])}
        specs[item["code"]] = FormSpec(**item)
    return specs


FORMS: dict[str, FormSpec] = _forms_load()

# The result document's template, chosen by the procedure version's result type; anything else gets the
# generic ``result`` layout.
RESULT_TEMPLATES: dict[str, str] = {
    ResultType.LICENCE: "licence",
    ResultType.CERTIFICATE: "certificate",
    ResultType.DECISION: "decision",
}


def result_template(version: ProcedureVersion) -> str:
    return RESULT_TEMPLATES.get(version.result_type, "result")


# --- Decree 30/2020 pieces --------------------------------------------------------------------------

# Title of the head of an agency, by the start of its name (longest prefix first). [B]
HEAD_TITLES: tuple[tuple[str, str], ...] = (
    ("ủy ban nhân dân", "Chủ tịch"),
    ("chi cục", "Chi cục trưởng"),
    ("cục ", "Cục trưởng"),
    ("sở ", "Giám đốc"),
    ("trung tâm", "Giám đốc"),
    ("công an", "Giám đốc"),
    ("văn phòng", "Chánh Văn phòng"),
    ("ban ", "Trưởng ban"),
    ("phòng ", "Trưởng phòng"),
)
# A People's Committee decides collectively: its chair signs "TM." (on behalf of) the committee.
COLLEGIAL_PREFIX = "ủy ban nhân dân"
_UNIT_WORDS = re.compile(r"^(tỉnh|thành phố|phường|xã|đặc khu|thị trấn|huyện|quận|thị xã)\s+", re.IGNORECASE)

OUTCOME_LABELS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}


def _folded(name: str) -> str:
    # Both tone placements are in use: "Ủy ban" and "Uỷ ban".
    return name.strip().lower().replace("uỷ", "ủy")


def head_title(agency: Agency) -> str:
    name = _folded(agency.name)
    for prefix, title in HEAD_TITLES:
        if name.startswith(prefix):
            return title
    return "Thủ trưởng cơ quan"


def place_of(agency: Agency) -> str:
    """Where the document is issued: the administrative unit of the nearest People's Committee above (or
    at) the agency, e.g. "Minh Sơn" for a provincial department, "Minh Khai" for a ward's committee."""
    current: Agency | None = agency
    while current is not None:
        name = current.name.strip()
        if _folded(name).startswith(COLLEGIAL_PREFIX):
            unit = name[len(COLLEGIAL_PREFIX) :].strip()
            return _UNIT_WORDS.sub("", unit) or unit
        current = current.parent
    return agency.name


def date_parts(value: dt.datetime) -> dict[str, str]:
    """Decree 30: days below 10 and the months January and February take a leading zero."""
    local = value.astimezone(VIETNAM_TZ)
    return {
        "day": f"{local.day:02d}",
        "month": f"{local.month:02d}" if local.month <= 2 else str(local.month),
        "year": str(local.year),
    }


def _long_date(value: dt.date) -> str:
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"


def _day(value: dt.datetime | None) -> str:
    return f"{value.astimezone(VIETNAM_TZ):%d/%m/%Y}" if value else ""


def _stamp(value: dt.datetime | None) -> str:
    return f"{value.astimezone(VIETNAM_TZ):%H:%M %d/%m/%Y}" if value else ""


def tracking_url(dossier: Dossier) -> str:
    return f"{settings.SITE_URL}/tra-cuu/?code={dossier.code or ''}"


def qr_svg(url: str) -> str:
    return str(segno.make(url, error="m").svg_inline(scale=2))


def letterhead(
    *,
    agency: Agency,
    title: str,
    number: str,
    when: dt.datetime,
    qr_url: str,
    qr_caption: str,
    summary: str = "",
) -> dict[str, Any]:
    return {
        "title": title,
        "summary": summary,
        "parent": agency.parent.name if agency.parent else "",
        "agency": agency.name,
        "number": number,
        "place": place_of(agency),
        **date_parts(when),
        "qr": qr_svg(qr_url),
        "qr_url": qr_url,
        "qr_caption": qr_caption,
    }


def _person(user: User | None) -> str:
    return str(user) if user is not None else ""


def signer_for(agency: Agency, user: User | None = None) -> dict[str, Any]:
    """The signature block of the head of ``agency`` (or a deputy signing "KT."), Decree 30 style."""
    head = head_title(agency)
    title = (getattr(user, "title", "") or "").strip()
    lines = []
    if _folded(agency.name).startswith(COLLEGIAL_PREFIX):
        lines.append("TM. ỦY BAN NHÂN DÂN")
    if title.lower().startswith("phó"):
        lines.append(f"KT. {head}".upper())
    lines.append((title or head).upper())
    return {"lines": lines, "note": "", "name": _person(user)}


def _person_signer(role_title: str, user: User | None) -> dict[str, Any]:
    return {"lines": [role_title], "note": "(Ký và ghi rõ họ tên)", "name": _person(user)}


def representative(dossier: Dossier) -> dict[str, str] | None:
    """The person who submitted on the applicant's behalf under an authorisation (Circular 03/2025 Annex I:
    "người được ủy quyền"), or None when the applicant acted in person."""
    if not dossier.submitter_name.strip():
        return None
    return {
        "name": dossier.submitter_name,
        "id_number": dossier.submitter_id_number,
        "authorisation": dossier.authorisation_note,
    }


def _applicant(dossier: Dossier) -> dict[str, Any]:
    business = dossier.applicant_kind == ApplicantKind.BUSINESS
    return {
        "applicant": dossier.applicant_name,
        "addressee": "Quý tổ chức" if business else "Ông/Bà",
        # Annex I asks for the personal identification number; an organisation gives its enterprise code.
        "id_label": "Mã số doanh nghiệp" if business else "Số định danh cá nhân",
        "id_number": dossier.applicant_id_number,
        "representative": representative(dossier),
        "address": dossier.applicant_address,
        "phone": dossier.applicant_phone,
        "email": dossier.applicant_email,
        "code": dossier.code or "",
        "procedure": dossier.procedure_version.name,
        "submitted": _day(dossier.submitted_at),
        "received": _day(dossier.received_at),
    }


def _recipients(dossier: Dossier) -> list[str]:
    who = "Quý tổ chức" if dossier.applicant_kind == ApplicantKind.BUSINESS else "Ông/Bà"
    return [f"{who} {dossier.applicant_name};", "Lưu: VT, hồ sơ."]


_ITEM_SEPARATORS = re.compile(r"\s+[—–-]\s+|:\s+|;\s+")


def item_split(text: str) -> dict[str, str]:
    """ "Đơn đề nghị — thiếu chữ ký" → document and reason (the desk asks for one line per item)."""
    parts = _ITEM_SEPARATORS.split(text.strip(), maxsplit=1)
    if len(parts) == 2 and parts[0] and parts[1]:
        return {"document": parts[0].strip(), "reason": parts[1].strip()}
    return {"document": text.strip(), "reason": ""}


def _issued(
    spec: FormSpec, *, agency: Agency, number: str, issued_at: dt.datetime, qr_url: str
) -> dict[str, Any]:
    return letterhead(
        agency=agency,
        title=spec.title,
        summary=spec.summary,
        number=number,
        when=issued_at,
        qr_url=qr_url,
        qr_caption="Quét mã QR để xác minh văn bản",
    )


# --- Forms 02–05: issued when the event happens, numbered and stored -------------------------------


def supplement_request_data(
    dossier: Dossier, event: DossierEvent, *, agency: Agency, number: str, issued_at: dt.datetime, qr_url: str
) -> dict[str, Any]:
    """Form 02: one consolidated list of what to add or correct, each with its reason."""
    items = event.data.get("items") or [line for line in event.reason.splitlines() if line.strip()]
    at_intake = event.action == Action.REQUEST_INTAKE_SUPPLEMENT
    return {
        **_issued(FORMS["02"], agency=agency, number=number, issued_at=issued_at, qr_url=qr_url),
        **_applicant(dossier),
        "stage": "intake" if at_intake else "processing",
        "items": [item_split(str(item)) for item in items],
        "requested": _moment(event.at),
        "request_number": int(event.data.get("request_number", 1)),
        "contact_agency": dossier.receiving_agency.name,
        "contact_phone": dossier.receiving_agency.phone,
        "contact_person": _person(event.actor),
        "signer": _person_signer("NGƯỜI HƯỚNG DẪN" if at_intake else "NGƯỜI XỬ LÝ HỒ SƠ", event.actor),
        "recipients": _recipients(dossier),
    }


def refusal_data(
    dossier: Dossier, event: DossierEvent, *, agency: Agency, number: str, issued_at: dt.datetime, qr_url: str
) -> dict[str, Any]:
    """Form 03: the reasons for not receiving (at intake) or not settling (after appraisal) the dossier."""
    at_intake = event.action == Action.REFUSE_AT_INTAKE
    reason = event.reason
    if not at_intake:
        proposal = (
            dossier.events.filter(action=Action.PROPOSE_REFUSAL, at__lte=event.at)
            .order_by("-at", "-pk")
            .first()
        )
        reason = event.reason or (proposal.reason if proposal else "")
    return {
        **_issued(FORMS["03"], agency=agency, number=number, issued_at=issued_at, qr_url=qr_url),
        **_applicant(dossier),
        "stage": "intake" if at_intake else "processing",
        "reasons": [line.strip() for line in reason.splitlines() if line.strip()],
        "signer": _person_signer("NGƯỜI TIẾP NHẬN HỒ SƠ", event.actor)
        if at_intake
        else signer_for(agency, event.actor),
        "recipients": _recipients(dossier),
    }


def apology_data(
    dossier: Dossier, event: DossierEvent, *, agency: Agency, number: str, issued_at: dt.datetime, qr_url: str
) -> dict[str, Any]:
    """Form 04 (Circular 03/2025 Annex I): the apology, the reason for the delay and the extension of the
    settling time asked for, up to the new appointment (once per dossier)."""
    previous_at = event.data.get("previous_appointment_at")
    new_at = event.data.get("new_appointment_at")
    previous = dt.datetime.fromisoformat(previous_at) if previous_at else None
    new = dt.datetime.fromisoformat(new_at) if new_at else None
    leader = event.actor if event.actor_role == "leader" else None
    return {
        **_issued(FORMS["04"], agency=agency, number=number, issued_at=issued_at, qr_url=qr_url),
        **_applicant(dossier),
        "receiving_agency": dossier.receiving_agency.name,
        "previous_appointment": _moment(previous) if previous else "",
        "new_appointment": _moment(new) if new else "",
        "extension": extension_text(agency, previous, new) if previous and new else "",
        "reason": event.reason,
        # The head of the processing agency signs; an officer who sends it leaves the name to the head.
        "signer": signer_for(agency, leader),
        "recipients": [*_recipients(dossier)[:1], f"{dossier.receiving_agency.name};", "Lưu: VT, hồ sơ."],
    }


def extension_text(agency: Agency, previous: dt.datetime, new: dt.datetime) -> str:
    """The extension asked for, in the agency's working time: "4 ngày làm việc", "3 ngày 7 giờ làm việc"."""
    from motcua.calendar.selectors import work_calendar_for

    calendar = work_calendar_for(agency=agency)
    minutes = max(0, calendar.working_minutes_between(previous, new))
    day = calendar.day_minutes(calendar.working_day_on_or_after(calendar.local(previous).date())) or 480
    days, rest = divmod(minutes, day)
    hours = f"{round(rest / 60, 1):g}".replace(".", ",")
    parts = ([f"{days} ngày"] if days else []) + ([f"{hours} giờ"] if rest else [])
    return f"{' '.join(parts) or '0 ngày'} làm việc"


def stop_notice_data(
    dossier: Dossier, event: DossierEvent, *, agency: Agency, number: str, issued_at: dt.datetime, qr_url: str
) -> dict[str, Any]:
    """Form 05: processing stops, by the agency's decision or at the applicant's request to withdraw."""
    withdrawn = event.action == Action.WITHDRAW
    return {
        **_issued(FORMS["05"], agency=agency, number=number, issued_at=issued_at, qr_url=qr_url),
        **_applicant(dossier),
        "ground": "withdraw" if withdrawn else "stop",
        "event_day": _day(event.at),
        "reason": event.reason,
        "receiving_agency": dossier.receiving_agency.name,
        "signer": signer_for(agency, None if withdrawn else event.actor),
        "recipients": [*_recipients(dossier)[:1], f"{dossier.receiving_agency.name};", "Lưu: VT, hồ sơ."],
    }


# --- Form 06: process-control slip, a view over the tasks and the timeline ---------------------------

_APPLICANT = "Người nộp hồ sơ"
_PAUSE_ROWS: dict[str, tuple[str, bool, str]] = {
    # action: (step, from the agency to the applicant?, result)
    Action.REQUEST_SUPPLEMENT: ("Yêu cầu bổ sung, hoàn thiện hồ sơ", True, "Tạm dừng"),
    Action.SUPPLY: ("Nộp hồ sơ bổ sung", False, "Tiếp tục"),
    Action.REQUEST_PAYMENT: ("Yêu cầu thực hiện nghĩa vụ tài chính", True, "Tạm dừng"),
    Action.CONFIRM_PAYMENT: ("Đã thực hiện nghĩa vụ tài chính", False, "Tiếp tục"),
    Action.STOP: ("Dừng giải quyết hồ sơ", True, "Dừng"),
    Action.WITHDRAW: ("Người nộp rút hồ sơ", False, "Dừng"),
}


def _party(unit: str, person: str) -> dict[str, str]:
    return {"unit": unit, "person": person}


def control_rows(
    dossier: Dossier, tasks: Sequence[Task], events: Sequence[DossierEvent], *, now: dt.datetime
) -> list[dict[str, Any]]:
    """One row per hand-over: who gave, who received, when, the step's due time, when it was done and
    whether early / on time / late (domain-vn.md §1.4). Steps come from the tasks; pauses, stops and the
    return of the result from the timeline."""
    completer: dict[int, Any] = {}
    consulter: dict[int, DossierEvent] = {}
    for event in events:
        task_id = event.data.get("task") if isinstance(event.data, dict) else None
        if event.action == "step_complete" and task_id:
            completer[int(task_id)] = event.actor
        elif event.action == "consult" and task_id:
            consulter[int(task_id)] = event
    receive = next((e for e in events if e.action == Action.RECEIVE), None)
    applicant = _party(_APPLICANT, dossier.submitter_name or dossier.applicant_name)

    def done_by(task: Task) -> Any:
        if task.order == 0 and task.role == "one_stop_clerk" and receive is not None:
            return receive.actor
        return completer.get(task.pk) or task.assignee

    entries: list[tuple[dt.datetime, int, dict[str, Any]]] = []
    main = sorted(
        (t for t in tasks if not t.is_consultation and t.started_at is not None),
        key=lambda t: (t.started_at, t.order, t.pk),
    )
    for task in main:
        assert task.started_at is not None
        before = [
            p
            for p in main
            if p is not task and p.completed_at is not None and p.completed_at <= task.started_at
        ]
        if before:
            giver_task = max(before, key=lambda p: (p.completed_at, p.order, p.pk))
            giver = _party(giver_task.agency.name, _person(done_by(giver_task)))
        elif task.role == "one_stop_clerk":
            giver = applicant
        else:
            giver = _party(dossier.receiving_agency.name, _person(receive.actor if receive else None))
        entries.append((task.started_at, len(entries), _task_row(task, giver, done_by(task), now=now)))
    for task in tasks:
        if task.is_consultation and task.started_at is not None:
            asked = consulter.get(task.pk)
            giver = _party(
                asked.actor_agency.name if asked and asked.actor_agency else dossier.competent_agency.name,
                _person(asked.actor if asked else None),
            )
            row = _task_row(task, giver, completer.get(task.pk) or task.assignee, now=now)
            row["note"] = "Lấy ý kiến phối hợp"
            entries.append((task.started_at, len(entries), row))
    for event in events:
        if event.action in _PAUSE_ROWS:
            step, to_applicant, result = _PAUSE_ROWS[event.action]
            if event.actor_role == "applicant":
                # What the applicant hands in goes through the one-stop unit where the dossier was received.
                agency_side = _party(dossier.receiving_agency.name, "")
            else:
                agency_side = _party(
                    event.actor_agency.name if event.actor_agency else dossier.competent_agency.name,
                    _person(event.actor),
                )
            row = {
                "step": step,
                "giver": agency_side if to_applicant else applicant,
                "receiver": applicant if to_applicant else agency_side,
                "at": _stamp(event.at),
                "due": "",
                "done": _stamp(event.at),
                "result": result,
                "note": "; ".join(line for line in event.reason.splitlines() if line.strip()),
            }
            entries.append((event.at, len(entries), row))
        elif event.action == Action.RETURN_RESULT:
            from motcua.dossiers.lateness import national_timeliness

            row = {
                "step": "Trả kết quả cho người nộp",
                "giver": _party(
                    event.actor_agency.name if event.actor_agency else dossier.receiving_agency.name,
                    _person(event.actor),
                ),
                "receiver": _party(_APPLICANT, str(event.data.get("recipient", ""))),
                "at": _stamp(event.at),
                "due": _stamp(dossier.appointment_at),
                "done": _stamp(event.at),
                "result": OUTCOME_LABELS.get(national_timeliness(dossier, now=now), ""),
                "note": "Kết quả giải quyết hồ sơ (chung cho toàn bộ hồ sơ)",
            }
            entries.append((event.at, len(entries), row))
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    return [{"no": index, **row} for index, (_at, _seq, row) in enumerate(entries, start=1)]


def _task_row(task: Task, giver: dict[str, str], doer: Any, *, now: dt.datetime) -> dict[str, Any]:
    if task.status == TaskStatus.DONE:
        result = OUTCOME_LABELS.get(task.outcome, "")
    elif task.status == TaskStatus.ACTIVE:
        result = "Đang quá hạn" if task.due_at and now > task.due_at else "Đang xử lý"
    elif task.status == TaskStatus.CANCELLED:
        result = "Không thực hiện"
    else:
        result = ""
    return {
        "step": task.name,
        "giver": giver,
        "receiver": _party(task.agency.name, _person(doer)),
        "at": _stamp(task.started_at),
        "due": _stamp(task.due_at),
        "done": _stamp(task.completed_at) if task.status == TaskStatus.DONE else "",
        "result": result,
        "note": "",
    }


def control_slip_data(
    dossier: Dossier, *, tasks: Sequence[Task], events: Sequence[DossierEvent], now: dt.datetime
) -> dict[str, Any]:
    """Form 06, rendered on demand: the header of the dossier and one row per hand-over."""
    agency = dossier.receiving_agency
    coordinating = sorted({t.agency.name for t in tasks if t.is_consultation})
    # One slip goes with each dossier: it takes the dossier's entry in the receiving unit's register.
    entry = register_entry(dossier)["entry"]
    return {
        **letterhead(
            agency=agency,
            title=FORMS["06"].title,
            number=f"{entry:02d}/{_register_symbol('06', agency)}" if entry else "",
            when=now,
            qr_url=tracking_url(dossier),
            qr_caption="Quét mã QR để tra cứu tình trạng hồ sơ",
        ),
        **_applicant(dossier),
        "receipt_number": receipt_number(dossier),
        "received_moment": _moment(dossier.received_at) if dossier.received_at else "",
        "appointment": _moment(dossier.appointment_at) if dossier.appointment_at else "",
        "lead_agency": dossier.competent_agency.name,
        "coordinating": coordinating,
        "rows": control_rows(dossier, tasks, events, now=now),
        "printed": _moment(now),
    }


# --- Form 07: extract of the dossier register ---------------------------------------------------------


def register_data(
    *,
    agency: Agency,
    dossiers: Iterable[Dossier],
    start: dt.date,
    end: dt.date,
    now: dt.datetime,
    link: str,
) -> dict[str, Any]:
    """Form 07, rendered on demand: every dossier of ``agency`` received between ``start`` and ``end``.
    Each dossier should come with its ``start_processing`` and ``return_result`` events prefetched."""
    from motcua.dossiers.lateness import national_timeliness

    rows = []
    for index, dossier in enumerate(dossiers, start=1):
        events = list(dossier.events.all())
        transferred = next((e.at for e in events if e.action == Action.START_PROCESSING), None)
        returned = next((e for e in events if e.action == Action.RETURN_RESULT), None)
        timeliness = national_timeliness(dossier, now=now)
        note = str(DossierStatus(dossier.status).label)
        if timeliness in ("late", "overdue"):
            note += " — quá hạn"
        rows.append(
            {
                "no": index,
                "code": dossier.code or "",
                "procedure": dossier.procedure_version.name,
                "sets": 1,
                "applicant": dossier.applicant_name,
                "contact": ", ".join(p for p in (dossier.applicant_address, dossier.applicant_phone) if p),
                "lead_agency": dossier.competent_agency.name,
                "received": _stamp(dossier.received_at),
                "appointment": _stamp(dossier.appointment_at),
                "transferred": _stamp(transferred),
                "result_received": _stamp(dossier.processing_finished_at),
                "returned": _stamp(dossier.returned_at),
                "recipient": str(returned.data.get("recipient", "")) if returned else "",
                "return_method": dossier.get_return_method_display(),
                "note": note,
            }
        )
    return {
        **letterhead(
            agency=agency,
            title=FORMS["07"].title,
            summary=f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}",
            # The register is kept a book a year (form 01's "Quyển số"); the extract carries its number.
            number=f"{register_book(start, end)}/{_register_symbol('07', agency)}",
            when=now,
            qr_url=link,
            qr_caption="Quét mã QR để mở sổ theo dõi hồ sơ trên hệ thống",
        ),
        "rows": rows,
        "printed": _moment(now),
    }


def register_book(start: dt.date, end: dt.date) -> str:
    return str(start.year) if start.year == end.year else f"{start.year}-{end.year}"


# --- Result documents: licence, certificate, decision -----------------------------------------------

_TYPE_WORDS = ("Thông tư liên tịch", "Nghị định", "Nghị quyết", "Thông tư", "Quyết định", "Chỉ thị")
_NAMED_LAWS = ("Bộ luật", "Luật", "Pháp lệnh")


def legal_basis_line(basis: LegalBasis) -> str:
    """ "Căn cứ Nghị định số 123/2015/NĐ-CP ngày 15 tháng 11 năm 2015 quy định chi tiết …" """
    title = basis.title.strip()
    when = f" {_long_date(basis.issued_on)}" if basis.issued_on else ""
    if title.startswith(_NAMED_LAWS) or not title:
        return f"Căn cứ {title or 'văn bản'} số {basis.number}{when}".replace("  ", " ")
    for word in _TYPE_WORDS:
        if title.startswith(word):
            rest = title[len(word) :].strip()
            return f"Căn cứ {word} số {basis.number}{when}{' ' + rest if rest else ''}"
    return f"Căn cứ {title} số {basis.number}{when}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def result_details(dossier: Dossier, *, approver: User | None, agency: Agency) -> dict[str, Any]:
    """What the per-procedure result templates add to the generic result data."""
    version = dossier.procedure_version
    bases = [legal_basis_line(b) for b in version.legal_bases.all()]
    consider = (
        f"Xét hồ sơ đề nghị của {dossier.applicant_name} (mã hồ sơ {dossier.code}) và kết quả thẩm định "
        f"của {agency.name}"
    )
    content = dossier.summary or version.name
    fields = [
        {"label": "Tổ chức, cá nhân", "value": dossier.applicant_name},
        {
            "label": "Mã số doanh nghiệp"
            if dossier.applicant_kind == ApplicantKind.BUSINESS
            else "Số định danh cá nhân",
            "value": dossier.applicant_id_number,
        },
    ]
    if dossier.applicant_address:
        fields.append({"label": "Địa chỉ", "value": dossier.applicant_address})
    fields.append({"label": "Nội dung", "value": content})
    articles = [
        {
            "heading": "Điều 1.",
            "text": f"Chấp thuận đề nghị của {dossier.applicant_name} ({fields[1]['label'].lower()}: "
            f"{dossier.applicant_id_number}) về việc {_lower_first(version.name)}: {content}.",
        },
        {"heading": "Điều 2.", "text": "Quyết định này có hiệu lực kể từ ngày ký."},
        {
            "heading": "Điều 3.",
            "text": f"{dossier.applicant_name} và các cơ quan, đơn vị, cá nhân có liên quan chịu trách "
            "nhiệm thi hành Quyết định này./.",
        },
    ]
    name = version.result_name or version.name
    return {
        "authority": f"{head_title(agency)} {agency.name}".upper(),
        "legal_bases": bases,
        "consider": consider,
        "fields": fields,
        "articles": articles,
        "result_title": name.upper(),
        "decision_summary": f"Về việc {_lower_first(version.name)}",
        # Signed with the seal: the block leaves room for the seal and both captions (appearance.py).
        "signer": {**signer_for(agency, approver), "space": SIGNATURE_SPACE_MM},
        "recipients": [
            f"{dossier.applicant_name};",
            "Như Điều 3;" if version.result_type == ResultType.DECISION else "Cơ quan có liên quan;",
            "Lưu: VT, hồ sơ.",
        ],
    }
