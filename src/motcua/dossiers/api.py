"""Dossier API (/api/v1/dossiers): submission with Idempotency-Key, public status, every staff action.

Handlers stay thin: parse, call a selector or a service, serialise."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import AwareDatetime, ValidationError

from motcua.accounts.http import AuthenticatedHttpRequest
from motcua.catalog.models import Channel
from motcua.catalog.selectors import procedure_version_for_submission
from motcua.core.auth import api_auth, api_token_refuse_signing
from motcua.core.errors import ApplicationError, NotFoundError
from motcua.core.throttle import ThrottledError, client_ip, throttled_response
from motcua.dossiers import processing, selectors, services
from motcua.dossiers.models import AccessKind, ApplicantKind, Dossier, ReturnMethod, Task
from motcua.dossiers.paperwork import SigningCredentials, paperwork
from motcua.dossiers.status import dossier_status_lookup

router = Router(auth=api_auth)


class ApplicantIn(Schema):
    name: str
    id_number: str
    kind: str = ApplicantKind.CITIZEN
    phone: str = ""
    email: str = ""
    address: str = ""
    submitter_name: str = ""
    submitter_id_number: str = ""
    authorisation_note: str = ""


class DossierIn(Schema):
    procedure: str
    applicant: ApplicantIn
    channel: str = Channel.ONLINE
    return_method: str = ReturnMethod.ONLINE
    summary: str = ""
    form_data: dict[str, Any] = {}
    # Optional uses of the applicant's data, each only with explicit consent (false unless sent as true).
    sms_consent: bool = False
    survey_consent: bool = False


class EventOut(Schema):
    action: str
    at: dt.datetime
    from_status: str
    to_status: str
    actor_role: str
    reason: str


class TaskOut(Schema):
    id: int
    order: int
    name: str
    role: str
    agency: str
    status: str
    assignee: str | None
    due_at: dt.datetime | None
    completed_at: dt.datetime | None
    outcome: str
    is_consultation: bool


class DossierOut(Schema):
    code: str
    procedure: str
    procedure_name: str
    procedure_version: int
    status: str
    national_status_code: int
    channel: str
    applicant_name: str
    receiving_agency: str
    competent_agency: str
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    appointment_at: dt.datetime | None
    processing_finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    supplement_requests: int
    payment_status: str
    result_number: str


class DossierDetailOut(DossierOut):
    tasks: list[TaskOut]
    events: list[EventOut]


def _out(dossier: Dossier) -> dict[str, Any]:
    from motcua.dossiers.status import national_status_code

    version = dossier.procedure_version
    return {
        "code": dossier.code or "",
        "procedure": version.procedure.local_code,
        "procedure_name": version.name,
        "procedure_version": version.number,
        "status": dossier.status,
        "national_status_code": national_status_code(dossier.status),
        "channel": dossier.channel,
        "applicant_name": dossier.applicant_name,
        "receiving_agency": dossier.receiving_agency.code,
        "competent_agency": dossier.competent_agency.code,
        "submitted_at": dossier.submitted_at,
        "received_at": dossier.received_at,
        "appointment_at": dossier.appointment_at,
        "processing_finished_at": dossier.processing_finished_at,
        "returned_at": dossier.returned_at,
        "supplement_requests": dossier.supplement_requests,
        "payment_status": dossier.payment_status,
        "result_number": dossier.result_number,
    }


def _task_out(t: Task, *, public: bool = False) -> dict[str, Any]:
    return {
        "id": t.pk,
        "order": t.order,
        "name": t.name,
        "role": t.role,
        "agency": t.agency.code,
        "status": t.status,
        # Staff login names are not the applicant's business (security review F8).
        "assignee": t.assignee.username if t.assignee and not public else None,
        "due_at": t.due_at,
        "completed_at": t.completed_at,
        "outcome": t.outcome,
        "is_consultation": t.is_consultation,
    }


def _detail(dossier: Dossier, *, as_staff: bool) -> dict[str, Any]:
    """Staff see every task and event; the applicant sees the public timeline (the events the status page
    names, ``status.PLAIN_WORDS``): no assignees, no internal notes such as a step's completion note."""
    from motcua.dossiers.status import PLAIN_WORDS

    out = _out(dossier)
    out["tasks"] = [
        _task_out(t, public=not as_staff)
        for t in dossier.tasks.select_related("agency", "assignee").order_by("order", "pk")
    ]
    events = selectors.dossier_timeline(dossier=dossier)
    if not as_staff:
        events = events.filter(action__in=list(PLAIN_WORDS))
    out["events"] = list(events.values("action", "at", "from_status", "to_status", "actor_role", "reason"))
    return out


def _parse_submission(request: HttpRequest) -> tuple[DossierIn, dict[int, list[Any]]]:
    content_type = request.content_type or ""
    try:
        if content_type.startswith("multipart/"):
            raw = request.POST.get("data", "")
            payload = DossierIn.model_validate_json(raw)
        else:
            payload = DossierIn.model_validate(json.loads(request.body or b"{}"))
    except RecursionError as exc:  # JSON nested thousands deep: refused, not a server error
        raise ApplicationError(
            _("Dữ liệu gửi lên không hợp lệ."), {"fields": {"data": "nested too deeply"}}
        ) from exc
    except (ValidationError, ValueError) as exc:
        errors = exc.errors() if isinstance(exc, ValidationError) else [{"msg": str(exc)}]
        raise ApplicationError(
            _("Dữ liệu gửi lên không hợp lệ."),
            {"fields": {".".join(str(p) for p in e.get("loc", ())) or "data": e["msg"] for e in errors}},
        ) from exc
    files: dict[int, list[Any]] = {}
    for key in request.FILES:
        if not key.startswith("component_") or not key.removeprefix("component_").isdigit():
            raise ApplicationError(_("Tên trường tệp không hợp lệ."), {"field": key})
        files[int(key.removeprefix("component_"))] = request.FILES.getlist(key)
    return payload, files


@router.post("", response={201: DossierOut, 200: DossierOut}, summary="Submit a dossier")
def dossier_submit(request: AuthenticatedHttpRequest) -> Status[dict[str, Any]]:
    """Submit online (JSON, or multipart with a `data` JSON field and files `component_<id>`).

    Send an `Idempotency-Key` header: a retry with the same key returns the same dossier (200)."""
    payload, files = _parse_submission(request)
    version = procedure_version_for_submission(local_code=payload.procedure)
    key = request.headers.get("Idempotency-Key", "")[:128]
    dossier = services.dossier_submit(
        data=services.SubmissionData(
            version=version,
            applicant=services.ApplicantData(**payload.applicant.model_dump()),
            channel=payload.channel,
            return_method=payload.return_method,
            summary=payload.summary,
            form_data=payload.form_data,
            files=files,
            sms_consent=payload.sms_consent,
            survey_consent=payload.survey_consent,
        ),
        user=request.user,
        idempotency_key=key,
    )
    # A retry answers 200 with the dossier the first attempt created.
    return Status(201 if getattr(dossier, "_just_created", False) else 200, _out(dossier))


@router.get("", response=list[DossierOut], summary="My dossiers (citizen) or my inbox (staff)")
def dossier_list(request: AuthenticatedHttpRequest, box: str = "") -> list[dict[str, Any]]:
    if box:
        from motcua.dossiers.inbox import inbox_dossiers

        rows = list(inbox_dossiers(user=request.user, box=box)[:200])
        selectors.dossiers_access_record(
            user=request.user, dossiers=rows, kind=AccessKind.API, target=f"inbox {box}"
        )
        return [_out(d) for d in rows]
    return [
        _out(d) for d in selectors.dossiers_for_applicant(user=request.user).order_by("-created_at")[:200]
    ]


def _visible(request: AuthenticatedHttpRequest, code: str) -> Dossier:
    dossier, _as_staff = selectors.dossier_get_for_reader(
        user=request.user, code=code, kind=AccessKind.API, target=f"{request.method} {request.path}"
    )
    return dossier


@router.get("/{code}", response=DossierDetailOut, summary="One dossier (its applicant or authorised staff)")
def dossier_detail(request: AuthenticatedHttpRequest, code: str) -> dict[str, Any]:
    dossier, as_staff = selectors.dossier_get_for_reader(
        user=request.user, code=code, kind=AccessKind.API, target=f"{request.method} {request.path}"
    )
    return _detail(dossier, as_staff=as_staff)


class StatusLookupIn(Schema):
    factor: str = Field(description="Last 4 digits of the applicant's phone or ID number")


def _status_lookup(request: HttpRequest, response: HttpResponse, code: str, factor: str) -> Any:
    # No cache may keep the answer; too many failures (per code, per address) answer 429 + Retry-After.
    response["Cache-Control"] = "no-store"
    try:
        return dossier_status_lookup(code=code, factor=factor, client=client_ip(request))
    except ThrottledError as error:
        return throttled_response(error)


@router.post(
    "/{code}/status",
    auth=None,
    summary="Public status (code + last 4 digits of phone or ID, sent in the body)",
)
def dossier_status_post(request: HttpRequest, response: HttpResponse, code: str, body: StatusLookupIn) -> Any:
    return _status_lookup(request, response, code, body.factor)


@router.get(
    "/{code}/status",
    auth=None,
    deprecated=True,
    summary="Public status, factor in the query string (deprecated: URLs are logged; use POST)",
)
def dossier_status(request: HttpRequest, response: HttpResponse, code: str, factor: str = "") -> Any:
    return _status_lookup(request, response, code, factor)


class ItemsIn(Schema):
    items: list[str]


class ReasonIn(Schema):
    reason: str


class CompleteIn(Schema):
    note: str = ""
    result_number: str = ""
    # The approval of a result the leader signs personally: the leader authenticates again (F1).
    password: str = ""
    otp: str = ""


class ResultDraftIn(Schema):
    values: dict[str, str]


class ResultDraftOut(Schema):
    fields: list[dict[str, Any]]


class AssignIn(Schema):
    assignee: str


class ConsultIn(Schema):
    agency: str
    question: str
    # Bounded here (422) and again, per unit, by the service (400) for every other caller.
    budget_value: float = Field(1, gt=0, le=480, allow_inf_nan=False)
    budget_unit: Literal["working_days", "hours", "days"] = "working_days"


class ApologyIn(Schema):
    reason: str
    # With its offset: a naive time is ambiguous (and cannot be compared with the appointment).
    new_appointment_at: AwareDatetime


class ReturnIn(Schema):
    method: str
    recipient: str
    note: str = ""


def _officer_dossier(request: AuthenticatedHttpRequest, code: str) -> Dossier:
    return selectors.dossier_get_for_officer(
        user=request.user, code=code, kind=AccessKind.API, target=f"{request.method} {request.path}"
    )


@router.post("/{code}/receive", response=DossierOut, summary="Accept at the one-stop counter")
def dossier_receive(request: AuthenticatedHttpRequest, code: str) -> dict[str, Any]:
    return _out(services.dossier_receive(dossier=_officer_dossier(request, code), clerk=request.user))


@router.post("/{code}/intake-supplement", response=DossierOut, summary="Ask for a supplement at intake")
def dossier_intake_supplement(request: AuthenticatedHttpRequest, code: str, body: ItemsIn) -> dict[str, Any]:
    return _out(
        services.dossier_request_intake_supplement(
            dossier=_officer_dossier(request, code), clerk=request.user, items=body.items
        )
    )


@router.post("/{code}/refuse", response=DossierOut, summary="Refuse at intake")
def dossier_refuse(request: AuthenticatedHttpRequest, code: str, body: ReasonIn) -> dict[str, Any]:
    return _out(
        services.dossier_refuse_at_intake(
            dossier=_officer_dossier(request, code), clerk=request.user, reason=body.reason
        )
    )


class SupplementIn(ItemsIn):
    # Required for a second request, which only a leader of the competent agency may make.
    second_request_reason: str = ""


@router.post("/{code}/supplement-request", response=DossierOut, summary="Request a supplement (pauses)")
def dossier_supplement_request(
    request: AuthenticatedHttpRequest, code: str, body: SupplementIn
) -> dict[str, Any]:
    return _out(
        services.dossier_request_supplement(
            dossier=_officer_dossier(request, code),
            officer=request.user,
            items=body.items,
            second_request_reason=body.second_request_reason,
        )
    )


@router.post("/{code}/supply", response=DossierOut, summary="Supply what was asked (multipart files)")
def dossier_supply(request: AuthenticatedHttpRequest, code: str) -> dict[str, Any]:
    dossier = _visible(request, code)
    files = {
        int(k.removeprefix("component_")): request.FILES.getlist(k)
        for k in request.FILES
        if k.removeprefix("component_").isdigit()
    }
    return _out(
        services.dossier_supply(
            dossier=dossier, user=request.user, files=files, note=request.POST.get("note", "")
        )
    )


def _task(request: AuthenticatedHttpRequest, code: str, task_id: int) -> Task:
    dossier = _officer_dossier(request, code)
    task = dossier.tasks.filter(pk=task_id).first()
    if task is None:
        raise NotFoundError(_("Không tìm thấy bước xử lý."), {"task": task_id})
    return task


@router.post("/{code}/tasks/{task_id}/claim", response=DossierOut, summary="Claim a step")
def task_claim(request: AuthenticatedHttpRequest, code: str, task_id: int) -> dict[str, Any]:
    task = processing.task_claim(task=_task(request, code, task_id), user=request.user)
    return _out(task.dossier)


@router.post("/{code}/tasks/{task_id}/assign", response=DossierOut, summary="Assign a step (leader)")
def task_assign(request: AuthenticatedHttpRequest, code: str, task_id: int, body: AssignIn) -> dict[str, Any]:
    from motcua.accounts.models import User

    assignee = User.objects.filter(username=body.assignee).first()
    if assignee is None:
        raise ApplicationError(_("Không tìm thấy cán bộ."), {"field": "assignee"})
    task = processing.task_assign(task=_task(request, code, task_id), assignee=assignee, by=request.user)
    return _out(task.dossier)


@router.post(
    "/{code}/tasks/{task_id}/complete",
    response=DossierOut,
    summary="Finish a step and forward (approve / issue on special steps)",
)
def task_complete(
    request: AuthenticatedHttpRequest, code: str, task_id: int, body: CompleteIn
) -> dict[str, Any]:
    task = _task(request, code, task_id)
    if task.step is not None and (task.step.is_approval or task.step.is_signature):
        api_token_refuse_signing(request)  # the leader's approval and the issue sign: not with a token
    task = processing.task_complete(
        task=task,
        user=request.user,
        note=body.note,
        result_number=body.result_number,
        credentials=SigningCredentials(password=body.password, otp=body.otp) if body.password else None,
    )
    return _out(Dossier.objects.get(pk=task.dossier_id))


@router.get("/{code}/result-draft", response=ResultDraftOut, summary="The draft of the result's content")
def result_draft_get(request: AuthenticatedHttpRequest, code: str) -> dict[str, Any]:
    return {"fields": paperwork().result_draft_fields(dossier=_officer_dossier(request, code))}


@router.put(
    "/{code}/result-draft",
    response=ResultDraftOut,
    summary="Draft the result's content (the specialist, during appraisal)",
)
def result_draft_put(request: AuthenticatedHttpRequest, code: str, body: ResultDraftIn) -> dict[str, Any]:
    dossier = _officer_dossier(request, code)
    processing.result_draft_save(dossier=dossier, specialist=request.user, values=body.values)
    return {"fields": paperwork().result_draft_fields(dossier=dossier)}


@router.post("/{code}/send-back", response=DossierOut, summary="Send back for rework (leader)")
def dossier_send_back(request: AuthenticatedHttpRequest, code: str, body: ReasonIn) -> dict[str, Any]:
    return _out(
        processing.task_send_back(
            dossier=_officer_dossier(request, code), leader=request.user, reason=body.reason
        )
    )


@router.post("/{code}/propose-refusal", response=DossierOut, summary="Propose refusal (specialist)")
def dossier_propose_refusal(request: AuthenticatedHttpRequest, code: str, body: ReasonIn) -> dict[str, Any]:
    return _out(
        processing.dossier_propose_refusal(
            dossier=_officer_dossier(request, code), specialist=request.user, reason=body.reason
        )
    )


@router.post("/{code}/consultations", response=TaskOut, summary="Consult another agency in parallel")
def dossier_consult(request: AuthenticatedHttpRequest, code: str, body: ConsultIn) -> dict[str, Any]:
    from motcua.agencies.models import Agency

    agency = Agency.objects.filter(code=body.agency).first()
    if agency is None:
        raise ApplicationError(_("Mã cơ quan không tồn tại."), {"field": "agency"})
    t = processing.consultation_request(
        dossier=_officer_dossier(request, code),
        specialist=request.user,
        agency=agency,
        question=body.question,
        budget_value=body.budget_value,
        budget_unit=body.budget_unit,
    )
    return _task_out(t)


@router.post("/{code}/apology", response=DossierOut, summary="Apologise and set a new appointment (once)")
def dossier_apology(request: AuthenticatedHttpRequest, code: str, body: ApologyIn) -> dict[str, Any]:
    return _out(
        services.dossier_apologise(
            dossier=_officer_dossier(request, code),
            officer=request.user,
            reason=body.reason,
            new_appointment_at=body.new_appointment_at,
        )
    )


@router.post("/{code}/return", response=DossierOut, summary="Return the result and record the hand-over")
def dossier_return(request: AuthenticatedHttpRequest, code: str, body: ReturnIn) -> dict[str, Any]:
    return _out(
        services.dossier_return_result(
            dossier=_officer_dossier(request, code),
            clerk=request.user,
            method=body.method,
            recipient=body.recipient,
            note=body.note,
        )
    )


@router.post("/{code}/withdraw", response=DossierOut, summary="Withdraw (applicant)")
def dossier_withdraw(request: AuthenticatedHttpRequest, code: str, body: ReasonIn) -> dict[str, Any]:
    dossier = selectors.dossier_get_for_applicant(user=request.user, code=code)
    return _out(services.dossier_withdraw(dossier=dossier, user=request.user, reason=body.reason))


class PaymentIn(Schema):
    reference: str


@router.post(
    "/{code}/payment-request", response=DossierOut, summary="Request a financial obligation (pauses)"
)
def dossier_payment_request(request: AuthenticatedHttpRequest, code: str, body: ItemsIn) -> dict[str, Any]:
    return _out(
        services.dossier_request_payment(
            dossier=_officer_dossier(request, code), officer=request.user, items=body.items
        )
    )


@router.post("/{code}/payment-confirm", response=DossierOut, summary="Record the payment (resumes)")
def dossier_payment_confirm(request: AuthenticatedHttpRequest, code: str, body: PaymentIn) -> dict[str, Any]:
    return _out(
        services.dossier_confirm_payment(
            dossier=_officer_dossier(request, code), clerk=request.user, reference=body.reference
        )
    )


@router.post("/{code}/stop", response=DossierOut, summary="Stop processing (leader, with a notice)")
def dossier_stop(request: AuthenticatedHttpRequest, code: str, body: ReasonIn) -> dict[str, Any]:
    return _out(
        services.dossier_stop(
            dossier=_officer_dossier(request, code), leader=request.user, reason=body.reason
        )
    )


@router.post(
    "/{code}/stop-on-request",
    response=DossierOut,
    summary="Stop processing on the applicant's request (receiving one-stop unit, form 05)",
)
def dossier_stop_on_request(request: AuthenticatedHttpRequest, code: str, body: ReasonIn) -> dict[str, Any]:
    return _out(
        services.dossier_stop_on_request(
            dossier=_officer_dossier(request, code), clerk=request.user, reason=body.reason
        )
    )


statistics_router = Router(auth=api_auth)


class AgencyStatisticsOut(Schema):
    agency: str
    name: str
    finished: int
    on_time: int
    on_time_rate: float


class StatisticsOut(Schema):
    total: int
    by_status: dict[str, int]
    agencies: list[AgencyStatisticsOut]


@statistics_router.get("", response=StatisticsOut, summary="Counts by status and on-time rate (staff, IOC)")
def statistics(request: HttpRequest) -> dict[str, Any]:
    """Aggregates over the dossiers of the caller's agencies; no dossier and no personal data. The
    monitoring role (IOC) reads these instead of dossiers."""
    return selectors.dossier_statistics(user=request.user)
