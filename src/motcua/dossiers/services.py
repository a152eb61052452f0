"""Writes on dossiers. Each service validates, changes state through ``workflow.transition_for`` and
records a timeline event in the same transaction; side effects (notifications) run after commit."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction

from motcua.agencies.models import Agency
from motcua.catalog.models import Channel, ProcedureVersion
from motcua.core import clock
from motcua.core.errors import ApplicationError
from motcua.core.statements import InsertChain, Sql, assign
from motcua.dossiers.codes import dossier_code_allocate, dossier_code_assign, dossier_code_in_statement
from motcua.dossiers.documents import form_issue
from motcua.dossiers.events import dossier_event_build, dossier_event_record
from motcua.dossiers.models import (
    ApplicantKind,
    Dossier,
    DossierComponent,
    DossierFee,
    DossierFile,
    PaymentStatus,
    ReturnMethod,
)
from motcua.dossiers.uploads import upload_check
from motcua.dossiers.workflow import Action, Actor, DossierStatus, transition_for


@dataclass
class ApplicantData:
    name: str
    id_number: str
    kind: str = ApplicantKind.CITIZEN
    phone: str = ""
    email: str = ""
    address: str = ""
    submitter_name: str = ""
    submitter_id_number: str = ""
    authorisation_note: str = ""


@dataclass
class SubmissionData:
    version: ProcedureVersion
    applicant: ApplicantData
    channel: str = Channel.ONLINE
    return_method: str = ReturnMethod.ONLINE
    summary: str = ""
    form_data: dict[str, Any] = field(default_factory=dict)
    receiving_agency: Agency | None = None
    helped_at: Agency | None = None
    # catalogue component id -> uploaded files
    files: Mapping[int, Sequence[UploadedFile]] = field(default_factory=dict)
    # At the counter: the citizen's account when they have one (so the dossier shows in "my dossiers").
    applicant_user: Any = None


# Free text a citizen types: the database columns bound the applicant's fields; these bound the rest.
SUMMARY_MAX_LENGTH = 5_000
FORM_DATA_MAX_CHARS = 64_000
_PHONE = re.compile(r"\+?[0-9][0-9 .-]{6,18}[0-9]")


def _too_long(limit: int) -> str:
    return f"Tối đa {limit:,} ký tự / At most {limit:,} characters."


def _applicant_field_errors(data: SubmissionData) -> dict[str, str]:
    """Field errors for the applicant's details (every channel: API, portal, counter, post), so that a
    value the database would refuse is a message on its field and not a server error."""
    applicant = data.applicant
    errors: dict[str, str] = {}
    if applicant.kind not in ApplicantKind.values:
        errors["applicant_kind"] = "Loại chủ hồ sơ không hợp lệ / Unknown kind of applicant."
    texts = {
        "applicant_name": applicant.name,
        "applicant_phone": applicant.phone,
        "applicant_email": applicant.email,
        "applicant_address": applicant.address,
        "submitter_name": applicant.submitter_name,
        "submitter_id_number": applicant.submitter_id_number,
        "authorisation_note": applicant.authorisation_note,
    }
    for name, value in texts.items():
        limit = getattr(Dossier._meta.get_field(name), "max_length", None)
        if limit is not None and len(value.strip()) > limit:
            errors[name] = _too_long(limit)
    phone = applicant.phone.strip()
    if phone and "applicant_phone" not in errors and not _PHONE.fullmatch(phone):
        errors["applicant_phone"] = "Số điện thoại không hợp lệ / The phone number is not valid."
    email = applicant.email.strip()
    if email and "applicant_email" not in errors:
        try:
            validate_email(email)
        except ValidationError:
            errors["applicant_email"] = "Địa chỉ thư điện tử không hợp lệ / The e-mail address is not valid."
    submitter_id = applicant.submitter_id_number.strip()
    if submitter_id and not (len(submitter_id) == 12 and submitter_id.isdigit()):
        errors["submitter_id_number"] = (
            "Số định danh cá nhân của người nộp thay gồm 12 chữ số / The representative's personal ID "
            "number has 12 digits."
        )
    return errors


def _validate_submission(data: SubmissionData, *, as_draft: bool = False) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.applicant.name.strip():
        errors["applicant_name"] = "Vui lòng nhập tên chủ hồ sơ / Enter the applicant's name."
    id_number = data.applicant.id_number.strip()
    if data.applicant.kind == ApplicantKind.CITIZEN and not (len(id_number) == 12 and id_number.isdigit()):
        errors["applicant_id_number"] = (
            "Số định danh cá nhân gồm 12 chữ số / The personal ID number has 12 digits."
        )
    if data.applicant.kind == ApplicantKind.BUSINESS and not (10 <= len(id_number) <= 14):
        errors["applicant_id_number"] = "Mã số doanh nghiệp không hợp lệ / The enterprise code is not valid."
    errors.update(_applicant_field_errors(data))
    if data.return_method not in ReturnMethod.values:
        errors["return_method"] = "Hình thức nhận kết quả không hợp lệ / Unknown way of receiving the result."
    if len(data.summary) > SUMMARY_MAX_LENGTH:
        errors["summary"] = _too_long(SUMMARY_MAX_LENGTH)
    if len(json.dumps(data.form_data, ensure_ascii=False)) > FORM_DATA_MAX_CHARS:
        errors["form_data"] = (
            "Nội dung tờ khai quá dài / The form content is too long "
            f"(tối đa / at most {FORM_DATA_MAX_CHARS:,} ký tự / characters)."
        )
    if data.channel not in data.version.channels:
        errors["channel"] = (
            "Thủ tục này không nhận hồ sơ qua kênh đã chọn / This procedure is not offered on that channel."
        )
    components = {c.pk: c for c in _components(data.version)}
    for component_id in data.files:
        if component_id not in components:
            errors[f"component_{component_id}"] = (
                "Thành phần hồ sơ không thuộc thủ tục / The component does not belong to this procedure."
            )
    if data.channel == Channel.ONLINE and not as_draft:
        for component in components.values():
            if component.required and not data.files.get(component.pk):
                errors[f"component_{component.pk}"] = (
                    f"Thiếu thành phần bắt buộc: {component.name} / A required component is missing."
                )
    return errors


def dossier_submit(
    *, data: SubmissionData, user: Any, idempotency_key: str = "", as_draft: bool = False
) -> Dossier:
    """Create and submit a dossier (online or by post) under one code; returns the existing dossier when
    the same user retries with the same idempotency key.

    Nothing is left behind on failure: the rows roll back and files already written are deleted.
    """
    creator = user if getattr(user, "is_authenticated", False) else None
    # No look-up before the insert: the unique (created_by, idempotency_key) constraint decides, so the
    # common case (a first attempt) costs no extra query and concurrent retries cannot both win.
    errors = _validate_submission(data, as_draft=as_draft)
    checked = {
        cid: [upload_check(f, field=f"component_{cid}") for f in files] for cid, files in data.files.items()
    }
    if errors:
        raise ApplicationError(
            "Hồ sơ chưa hợp lệ, vui lòng kiểm tra các trường được đánh dấu / The dossier is not valid; "
            "check the marked fields.",
            {"fields": errors},
        )
    at_counter = data.channel == Channel.COUNTER
    actor_role = Actor.ONE_STOP_CLERK if at_counter else Actor.APPLICANT
    # The dossier is written in its submitted state at once (one INSERT instead of INSERT + UPDATE).
    transition = None if as_draft else transition_for(Action.SUBMIT, DossierStatus.DRAFT, actor_role)
    rows = _SubmissionRows(
        dossier=_dossier_build(
            data=data,
            creator=creator,
            idempotency_key=idempotency_key,
            as_draft=as_draft,
            status=transition.target if transition else DossierStatus.DRAFT,
        )
    )
    try:
        rows.fees = _fees_build(data=data, dossier=rows.dossier)
        # Built into rows.components as files are written: a write that fails part-way (full disk) still
        # lets the handlers below delete the files written before it (review reliability F8).
        _components_build(
            data=data, dossier=rows.dossier, checked=checked, creator=creator, into=rows.components
        )
        if transition is not None and _writes_in_one_statement():
            _submission_write_in_one_statement(
                rows,
                actor=creator,
                actor_role=actor_role,
                actor_agency=data.receiving_agency if at_counter else None,
            )
        else:
            _submission_write(
                rows,
                submitted=transition is not None,
                actor=creator,
                actor_role=actor_role,
                actor_agency=data.receiving_agency if at_counter else None,
            )
    except IntegrityError:
        _delete_files(rows.files)
        if idempotency_key and creator is not None:
            # A retry (or a concurrent retry that won the race): answer with the first attempt's dossier.
            existing = Dossier.objects.filter(created_by=creator, idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        raise
    except BaseException:
        _delete_files(rows.files)
        raise
    dossier = rows.dossier
    dossier._just_created = True  # type: ignore[attr-defined]  # lets the API answer 201 instead of 200
    return dossier


def _writes_in_one_statement() -> bool:
    # Data-modifying CTEs are PostgreSQL's; SQLite (and drafts, which take no code) use the ORM path.
    return connection.vendor == "postgresql"


@dataclass
class _SubmissionRows:
    """A new dossier and its children, built (not yet saved) by the code both write paths share."""

    dossier: Dossier
    fees: list[DossierFee] = field(default_factory=list)
    components: list[tuple[DossierComponent, list[DossierFile]]] = field(default_factory=list)

    @property
    def files(self) -> list[DossierFile]:
        return [stored for _, files in self.components for stored in files]


def _submission_write(
    rows: _SubmissionRows, *, submitted: bool, actor: Any, actor_role: str, actor_agency: Agency | None
) -> None:
    """The portable path (SQLite, and drafts): the rows through the ORM, in one transaction."""
    with transaction.atomic():
        dossier = rows.dossier
        dossier.save(force_insert=True)
        DossierFee.objects.bulk_create(rows.fees)
        DossierComponent.objects.bulk_create([component for component, _ in rows.components])
        for component, files in rows.components:
            for stored in files:
                stored.component = component
        DossierFile.objects.bulk_create(rows.files)
        if submitted:
            # The code is taken last: the agency's counter row for the day stays locked until commit,
            # and every submission to that agency queues on it, so the lock must be held briefly.
            dossier.code = dossier_code_assign(
                dossier_id=dossier.pk, agency=dossier.receiving_agency, day=clock.local_today()
            )
            _dossier_transition_recorded(
                dossier=dossier,
                action=Action.SUBMIT,
                from_status=DossierStatus.DRAFT,
                actor=actor,
                actor_role=actor_role,
                actor_agency=actor_agency,
            )


# Stands for the dossier's code in the texts built before the statement has taken the number.
_CODE_PLACEHOLDER = "\ue000ma-ho-so\ue000"


def _submission_write_in_one_statement(
    rows: _SubmissionRows, *, actor: Any, actor_role: str, actor_agency: Agency | None
) -> None:
    """PostgreSQL: the same rows as ``_submission_write`` — dossier with its code, fees, components,
    files, the timeline event, the applicant's messages and their delivery tasks — in one statement,
    so one round trip instead of ten. In autocommit it is its own transaction; the counter row of the
    agency's day is locked only while it runs. A test compares the rows of both paths."""
    from motcua.dossiers.notify import dossier_notifications_build
    from motcua.notifications.services import (
        notification_deliver_after_commit,
        notification_delivery_task_row,
    )

    dossier = rows.dossier
    day = clock.local_today()
    chain = InsertChain()
    assign(dossier, "code", dossier_code_in_statement(chain, agency=dossier.receiving_agency, day=day))
    chain.insert("d", [dossier], returning=("id", "code"))
    dossier_id = Sql("(SELECT id FROM d)")
    chain.substitute(_CODE_PLACEHOLDER, Sql("(SELECT code FROM d)"))
    for fee in rows.fees:
        assign(fee, "dossier_id", dossier_id)
    chain.insert("fees", rows.fees, returning=())
    components = [component for component, _ in rows.components]
    for component in components:
        assign(component, "dossier_id", dossier_id)
    chain.insert("components", components, returning=("id", "catalogue_component_id"))
    for component, files in rows.components:
        for stored in files:
            assign(
                stored,
                "component_id",
                Sql(
                    "(SELECT id FROM components WHERE catalogue_component_id = %s)",
                    (component.catalogue_component_id,),
                ),
            )
    chain.insert("files", rows.files, returning=())
    # The event and the messages are built as the ORM path builds them, with a placeholder for the code.
    dossier.code = _CODE_PLACEHOLDER
    event = dossier_event_build(
        dossier=dossier,
        action=Action.SUBMIT,
        actor=actor,
        actor_role=actor_role,
        actor_agency=actor_agency,
        from_status=DossierStatus.DRAFT,
        to_status=dossier.status,
    )
    assign(event, "dossier_id", dossier_id)
    chain.insert("event", [event], returning=())
    messages = dossier_notifications_build(dossier=dossier, action=Action.SUBMIT)
    tasks = []
    # CTE names are ours (message0, message1 …); every value is a parameter.
    message_ids = [f"(SELECT id FROM message{number})" for number in range(len(messages))]  # noqa: S608
    for number, message in enumerate(messages):
        chain.insert(f"message{number}", [message])
        task = notification_delivery_task_row(notification_id=Sql(message_ids[number]))
        if task is not None:
            tasks.append(task)
    chain.insert("tasks", tasks, returning=())
    with transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext():
        # Inside a caller's transaction a savepoint keeps it usable after a duplicate-key error.
        row = chain.execute(" ".join(["SELECT d.id, d.code", *(f", {m}" for m in message_ids), "FROM d"]))
        if not tasks:
            for message_id in row[2:]:
                transaction.on_commit(partial(notification_deliver_after_commit, message_id))
    dossier.pk, dossier.code = row[0], row[1]
    dossier._state.adding = False
    dossier._state.db = connection.alias


def dossier_submit_draft(*, dossier: Dossier, user: Any) -> Dossier:
    """Send a saved draft: check the required components now, give it its code, submit."""
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if dossier.applicant_user_id != getattr(user, "pk", None):
            raise ApplicationError("Không tìm thấy hồ sơ / Dossier not found.")
        missing = {
            f"component_{c.catalogue_component_id}": f"Thiếu thành phần bắt buộc: {c.name} / A required "
            "component is missing."
            for c in dossier.components.select_related("catalogue_component")
            if c.catalogue_component is not None and c.catalogue_component.required and not c.files.exists()
        }
        if missing and dossier.channel == Channel.ONLINE:
            raise ApplicationError(
                "Hồ sơ chưa đủ thành phần / The dossier is incomplete.", {"fields": missing}
            )
        dossier.code = dossier_code_allocate(agency=dossier.receiving_agency, day=clock.local_today())
        dossier.submitted_at = clock.now()
        dossier.save(update_fields=["code", "submitted_at"])
        _dossier_transition(
            dossier=dossier, action=Action.SUBMIT, actor=user, actor_role=Actor.APPLICANT, actor_agency=None
        )
    return dossier


def _components(version: ProcedureVersion) -> list[Any]:
    # .all() reuses a prefetch when the caller made one (procedure_version_for_submission).
    return list(version.components.all())


def _delete_files(files: Sequence[DossierFile]) -> None:
    for stored in files:
        with contextlib.suppress(OSError):
            stored.file.delete(save=False)


def _dossier_build(
    *, data: SubmissionData, creator: Any, idempotency_key: str, as_draft: bool, status: str
) -> Dossier:
    version = data.version
    receiving_agencies = list(version.receiving_agencies.all())  # prefetched on the hot path
    receiving = data.receiving_agency or (
        receiving_agencies[0] if receiving_agencies else version.competent_agency
    )
    applicant = data.applicant
    return Dossier(
        code=None,  # given last, when the dossier is written: see _submission_write
        procedure_version=version,
        status=status,
        channel=data.channel,
        applicant_user=data.applicant_user if data.channel != Channel.ONLINE else creator,
        applicant_kind=applicant.kind,
        applicant_name=applicant.name.strip(),
        applicant_id_number=applicant.id_number.strip(),
        applicant_phone=applicant.phone.strip(),
        applicant_email=applicant.email.strip(),
        applicant_address=applicant.address.strip(),
        submitter_name=applicant.submitter_name.strip(),
        submitter_id_number=applicant.submitter_id_number.strip(),
        authorisation_note=applicant.authorisation_note.strip(),
        summary=data.summary,
        form_data=data.form_data,
        helped_at=data.helped_at,
        receiving_agency=receiving,
        competent_agency=version.competent_agency,
        return_method=data.return_method,
        idempotency_key=idempotency_key if creator is not None else "",
        created_by=creator,
        submitted_at=None if as_draft else clock.now(),
    )


def _fees_build(*, data: SubmissionData, dossier: Dossier) -> list[DossierFee]:
    """The fee lines due on this channel; the dossier's payment status follows from them."""
    fees = [
        DossierFee(dossier=dossier, name=fee.name, amount=fee.amount)
        for fee in data.version.fees.all()
        if fee.channel in ("", data.channel)
    ]
    dossier.payment_status = (
        PaymentStatus.DUE if any(fee.amount > 0 for fee in fees) else PaymentStatus.NOT_REQUIRED
    )
    return fees


def _components_build(
    *,
    data: SubmissionData,
    dossier: Dossier,
    checked: Mapping[int, Sequence[Any]],
    creator: Any,
    into: list[tuple[DossierComponent, list[DossierFile]]],
) -> list[tuple[DossierComponent, list[DossierFile]]]:
    """One dossier component per catalogue component, with the uploaded files — written to storage
    now (the rows come later), so the caller deletes them if the rows are not written."""
    built = into
    for component in _components(data.version):
        files: list[DossierFile] = []
        built.append(
            (
                DossierComponent(
                    dossier=dossier,
                    catalogue_component=component,
                    name=component.name,
                    originals=component.originals,
                    copies=component.copies,
                ),
                files,
            )
        )
        for upload, check in zip(
            data.files.get(component.pk, ()), checked.get(component.pk, ()), strict=True
        ):
            stored = DossierFile(
                original_name=upload.name or "tep",
                content_type=check.content_type,
                size=check.size,
                sha256=check.sha256,
                signature_report=check.signature_report,
                uploaded_by=creator,
            )
            stored.file.save(upload.name or "tep", upload, save=False)
            files.append(stored)
    return built


def _dossier_transition(
    *,
    dossier: Dossier,
    action: str,
    actor: Any,
    actor_role: str,
    actor_agency: Agency | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> Dossier:
    transition = transition_for(action, dossier.status, actor_role)
    from_status = dossier.status
    dossier.status = transition.target
    dossier.save(update_fields=["status", "updated_at"])
    return _dossier_transition_recorded(
        dossier=dossier,
        action=action,
        from_status=from_status,
        actor=actor,
        actor_role=actor_role,
        actor_agency=actor_agency,
        reason=reason,
        data=data,
    )


def _dossier_transition_recorded(
    *,
    dossier: Dossier,
    action: str,
    from_status: str,
    actor: Any,
    actor_role: str,
    actor_agency: Agency | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> Dossier:
    """The second half of a transition, for a dossier already saved in its new status: the timeline
    event and the notification (sent after commit)."""
    dossier_event_record(
        dossier=dossier,
        action=action,
        actor=actor,
        actor_role=actor_role,
        actor_agency=actor_agency,
        from_status=from_status,
        to_status=dossier.status,
        reason=reason,
        data=data,
    )
    from motcua.dossiers.notify import dossier_notify

    dossier_notify(dossier=dossier, action=action, reason=reason)
    return dossier


# --- Intake at the one-stop unit --------------------------------------------------------------------


def _require_clerk_at(dossier: Dossier, clerk: Any) -> Agency:
    """The clerk must hold the one-stop role at the receiving agency (or at the centre where they help)."""
    from motcua.dossiers.selectors import officer_agency_for

    return officer_agency_for(user=clerk, dossier=dossier, role="one_stop_clerk")


def dossier_receive(*, dossier: Dossier, clerk: Any, reason: str = "") -> Dossier:
    """Accept a complete, valid dossier: the legal clock starts, the appointment is computed from the
    pinned procedure version and the receiving centre's calendar, and the internal process starts."""
    from motcua.dossiers.processing import process_start

    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        agency = _require_clerk_at(dossier, clerk)
        missing = [
            c.name
            for c in dossier.components.select_related("catalogue_component")
            if c.catalogue_component is not None
            and c.catalogue_component.required
            and not c.received
            and not c.files.exists()
        ]
        if missing:
            raise ApplicationError(
                "Hồ sơ còn thiếu thành phần bắt buộc / Required components are missing: "
                + "; ".join(missing),
                {"missing": missing},
            )
        now = clock.now()
        dossier.received_at = now
        dossier.appointment_at = appointment_for(dossier=dossier, received_at=now)
        dossier.original_appointment_at = dossier.appointment_at
        dossier.save(update_fields=["received_at", "appointment_at", "original_appointment_at"])
        dossier.components.update(received=True)
        _dossier_transition(
            dossier=dossier,
            action=Action.RECEIVE,
            actor=clerk,
            actor_role=Actor.ONE_STOP_CLERK,
            actor_agency=agency,
            reason=reason,
            data={"appointment_at": dossier.appointment_at.isoformat()},
        )
        # Electronic dossiers are transferred to the competent agency at once (Decree 61/2018 art. 19).
        _dossier_transition(
            dossier=dossier,
            action=Action.START_PROCESSING,
            actor=None,
            actor_role=Actor.SYSTEM,
            actor_agency=None,
        )
        process_start(dossier=dossier, started_at=now)
    return dossier


def appointment_for(*, dossier: Dossier, received_at: Any) -> Any:
    from motcua.dossiers.deadlines import appointment_compute

    return appointment_compute(
        version=dossier.procedure_version, agency=dossier.receiving_agency, received_at=received_at
    )


def dossier_request_intake_supplement(*, dossier: Dossier, clerk: Any, items: Sequence[str]) -> Dossier:
    """One consolidated list of what to add or correct, each with its reason (form 02)."""
    clean = [item.strip() for item in items if item.strip()]
    if not clean:
        raise ApplicationError(
            "Vui lòng nêu giấy tờ cần bổ sung và lý do / List what must be supplemented and why.",
            {"field": "items"},
        )
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        agency = _require_clerk_at(dossier, clerk)
        _dossier_transition(
            dossier=dossier,
            action=Action.REQUEST_INTAKE_SUPPLEMENT,
            actor=clerk,
            actor_role=Actor.ONE_STOP_CLERK,
            actor_agency=agency,
            reason="\n".join(clean),
            data={"items": clean},
        )
        form_issue(dossier=dossier, kind="02", actor=clerk)
    return dossier


def dossier_refuse_at_intake(*, dossier: Dossier, clerk: Any, reason: str) -> Dossier:
    if not reason.strip():
        raise ApplicationError(
            "Vui lòng nêu lý do từ chối / Give the reason for refusal.", {"field": "reason"}
        )
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        agency = _require_clerk_at(dossier, clerk)
        _dossier_transition(
            dossier=dossier,
            action=Action.REFUSE_AT_INTAKE,
            actor=clerk,
            actor_role=Actor.ONE_STOP_CLERK,
            actor_agency=agency,
            reason=reason.strip(),
        )
        form_issue(dossier=dossier, kind="03", actor=clerk)
    return dossier


# --- During processing ---------------------------------------------------------------------------


def _last_event_at(dossier: Dossier, action: str) -> Any:
    event = dossier.events.filter(action=action).order_by("-at", "-pk").first()
    return event.at if event is not None else None


def dossier_request_supplement(*, dossier: Dossier, officer: Any, items: Sequence[str]) -> Dossier:
    """Ask the applicant, through the one-stop unit, for what is missing; the legal clock stops.

    A second request is allowed but flagged: the national on-time rule counts such a dossier as late
    (domain-vn.md §1.7)."""
    from motcua.dossiers.processing import _active_task_for

    clean = [item.strip() for item in items if item.strip()]
    if not clean:
        raise ApplicationError(
            "Vui lòng nêu giấy tờ cần bổ sung và lý do / List what must be supplemented and why.",
            {"field": "items"},
        )
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        task = _active_task_for(dossier, officer, {Actor.SPECIALIST, Actor.ONE_STOP_CLERK})
        from motcua.dossiers import deadlines

        now = clock.now()
        assert dossier.appointment_at is not None
        dossier.paused_remaining_minutes = deadlines.minutes_left(
            agency=dossier.receiving_agency, now=now, due_at=dossier.appointment_at
        )
        dossier.supplement_requests += 1
        dossier.save(update_fields=["paused_remaining_minutes", "supplement_requests"])
        _dossier_transition(
            dossier=dossier,
            action=Action.REQUEST_SUPPLEMENT,
            actor=officer,
            actor_role=task.role,
            actor_agency=task.agency,
            reason="\n".join(clean),
            data={
                "items": clean,
                "request_number": dossier.supplement_requests,
                "counts_as_late": dossier.supplement_requests > 1,
            },
        )
        form_issue(dossier=dossier, kind="02", actor=officer)
    return dossier


def dossier_supply(
    *, dossier: Dossier, user: Any, files: Mapping[int, Sequence[UploadedFile]], note: str = ""
) -> Dossier:
    """The applicant (or the clerk for them) hands in what was asked; the clock resumes."""
    checked = {cid: [upload_check(f, field=f"component_{cid}") for f in fl] for cid, fl in files.items()}
    if not any(files.values()) and not note.strip():
        raise ApplicationError(
            "Vui lòng đính kèm giấy tờ bổ sung / Attach the supplementary documents.", {"field": "files"}
        )
    written: list[DossierFile] = []
    try:
        with transaction.atomic():
            dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
            actor_role, actor_agency = _applicant_or_clerk(dossier, user)
            components = {c.catalogue_component_id: c for c in dossier.components.all()}
            for cid, uploads in files.items():
                if cid not in components:
                    raise ApplicationError(
                        "Thành phần hồ sơ không hợp lệ / Unknown component.", {"field": f"component_{cid}"}
                    )
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
                    stored.file.save(upload.name or "tep", upload, save=False)
                    written.append(stored)
                    stored.save()
            now = clock.now()
            if dossier.status == DossierStatus.INTAKE_SUPPLEMENT:
                _dossier_transition(
                    dossier=dossier,
                    action=Action.SUPPLY_AT_INTAKE,
                    actor=user,
                    actor_role=actor_role,
                    actor_agency=actor_agency,
                    reason=note,
                )
                return dossier
            paused_at = _last_event_at(dossier, Action.REQUEST_SUPPLEMENT)
            from motcua.dossiers import deadlines
            from motcua.dossiers.processing import tasks_shift_for_pause

            dossier.appointment_at = deadlines.resume_with_remaining(
                agency=dossier.receiving_agency,
                resumed_at=now,
                remaining_minutes=dossier.paused_remaining_minutes or 0,
            )
            if dossier.original_appointment_at is not None and paused_at is not None:
                # The national rule subtracts the supplement interval, so the reference date moves too
                # (but an apology's new date never does).
                dossier.original_appointment_at = deadlines.resume_due(
                    agency=dossier.receiving_agency,
                    due_at=dossier.original_appointment_at,
                    paused_at=paused_at,
                    resumed_at=now,
                )
            dossier.paused_remaining_minutes = None
            dossier.save(
                update_fields=["appointment_at", "original_appointment_at", "paused_remaining_minutes"]
            )
            _dossier_transition(
                dossier=dossier,
                action=Action.SUPPLY,
                actor=user,
                actor_role=actor_role,
                actor_agency=actor_agency,
                reason=note,
                data={"appointment_at": dossier.appointment_at.isoformat()},
            )
            tasks_shift_for_pause(dossier=dossier, paused_at=paused_at, resumed_at=now)
    except BaseException:
        _delete_files(written)
        raise
    return dossier


def _applicant_or_clerk(dossier: Dossier, user: Any) -> tuple[str, Agency | None]:
    if dossier.applicant_user_id is not None and getattr(user, "pk", None) == dossier.applicant_user_id:
        return Actor.APPLICANT, None
    return Actor.ONE_STOP_CLERK, _require_clerk_at(dossier, user)


def dossier_apologise(*, dossier: Dossier, officer: Any, reason: str, new_appointment_at: Any) -> Dossier:
    """Apology letter with a new appointment (form 04): before the deadline, once per dossier."""
    from motcua.dossiers.processing import _active_task_for

    if not reason.strip():
        raise ApplicationError(
            "Vui lòng nêu lý do chậm / Give the reason for the delay.", {"field": "reason"}
        )
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        task = _active_task_for(dossier, officer, {Actor.SPECIALIST, Actor.LEADER})
        now = clock.now()
        if dossier.apologies >= 1:
            raise ApplicationError(
                "Chỉ được hẹn lại một lần / Only one new appointment is allowed.",
                {"field": "new_appointment_at"},
            )
        if dossier.appointment_at is None or now >= dossier.appointment_at:
            raise ApplicationError(
                "Văn bản xin lỗi phải gửi trước thời hạn / The apology must be sent before the deadline.",
                {"field": "new_appointment_at"},
            )
        if new_appointment_at <= dossier.appointment_at:
            raise ApplicationError(
                "Ngày hẹn mới phải sau ngày hẹn cũ / The new appointment must be later.",
                {"field": "new_appointment_at"},
            )
        previous = dossier.appointment_at
        dossier.appointment_at = new_appointment_at
        dossier.apologies += 1
        dossier.save(update_fields=["appointment_at", "apologies"])
        dossier_event_record(
            dossier=dossier,
            action="apologise",
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
        from motcua.dossiers.notify import dossier_notify

        dossier_notify(dossier=dossier, action="apologise", reason=reason.strip())
        form_issue(dossier=dossier, kind="04", actor=officer)
    return dossier


def dossier_return_result(
    *, dossier: Dossier, clerk: Any, method: str, recipient: str, note: str = ""
) -> Dossier:
    """Hand the result over (counter, post or online) and record who received it."""
    from motcua.dossiers.models import DeliveryStatus, Task, TaskStatus

    if method not in ReturnMethod.values:
        raise ApplicationError(
            "Hình thức trả kết quả không hợp lệ / Unknown return method.", {"field": "method"}
        )
    if not recipient.strip():
        raise ApplicationError(
            "Vui lòng ghi tên người nhận / Enter who received the result.", {"field": "recipient"}
        )
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        agency = _require_clerk_at(dossier, clerk)
        now = clock.now()
        for task in Task.objects.filter(dossier=dossier, status__in=[TaskStatus.ACTIVE, TaskStatus.WAITING]):
            task.status = TaskStatus.DONE if task.status == TaskStatus.ACTIVE else TaskStatus.CANCELLED
            task.completed_at = now
            task.save(update_fields=["status", "completed_at"])
        dossier.returned_at = now
        dossier.return_method = method
        dossier.delivery_status = DeliveryStatus.DELIVERED
        dossier.save(update_fields=["returned_at", "return_method", "delivery_status"])
        _dossier_transition(
            dossier=dossier,
            action=Action.RETURN_RESULT,
            actor=clerk,
            actor_role=Actor.ONE_STOP_CLERK,
            actor_agency=agency,
            reason=note,
            data={"method": method, "recipient": recipient.strip()},
        )
    return dossier


def dossier_withdraw(*, dossier: Dossier, user: Any, reason: str) -> Dossier:
    if dossier.applicant_user_id is None or getattr(user, "pk", None) != dossier.applicant_user_id:
        raise ApplicationError("Chỉ chủ hồ sơ được rút hồ sơ / Only the applicant can withdraw.")
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        _dossier_transition(
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
            form_issue(dossier=dossier, kind="05", actor=user)
    return dossier


def dossier_rate(*, dossier: Dossier, user: Any, scores: Mapping[str, int], comment: str = "") -> Any:
    """The applicant rates the service once, on the criteria in force (RatingCriterion)."""
    from motcua.dossiers.models import Rating, RatingCriterion, RatingLevel

    if dossier.applicant_user_id is None or getattr(user, "pk", None) != dossier.applicant_user_id:
        raise ApplicationError("Chỉ chủ hồ sơ được đánh giá / Only the applicant can rate.")
    if dossier.status not in (
        DossierStatus.RETURNED,
        DossierStatus.ISSUED,
        DossierStatus.REFUSED,
        DossierStatus.REFUSED_AT_INTAKE,
    ):
        raise ApplicationError("Chỉ đánh giá khi hồ sơ đã có kết quả / Rate once the dossier has a result.")
    today = clock.local_today()
    criteria = list(RatingCriterion.objects.filter(valid_from__lte=today).exclude(valid_to__lt=today))
    errors = {}
    clean: dict[str, int] = {}
    for criterion in criteria:
        value = scores.get(criterion.code)
        if value is None or int(value) not in RatingLevel.values:
            errors[criterion.code] = "Vui lòng chọn mức đánh giá / Choose a rating."
        else:
            clean[criterion.code] = int(value)
    if errors:
        raise ApplicationError(
            "Vui lòng đánh giá đủ các tiêu chí / Rate every criterion.", {"fields": errors}
        )
    with transaction.atomic():
        if Rating.objects.filter(dossier=dossier).exists():
            raise ApplicationError("Hồ sơ đã được đánh giá / This dossier has already been rated.")
        rating = Rating.objects.create(
            dossier=dossier, scores=clean, comment=comment.strip(), rated_at=clock.now()
        )
        dossier_event_record(
            dossier=dossier,
            action="rate",
            actor=user,
            actor_role=Actor.APPLICANT,
            actor_agency=None,
            from_status=dossier.status,
            to_status=dossier.status,
            data={"scores": clean},
        )
    return rating


def rating_criteria_seed() -> int:
    """Load the satisfaction criteria (data/rating_criteria.json); idempotent."""
    import datetime as dt
    import json
    from pathlib import Path

    from motcua.dossiers.models import RatingCriterion

    doc = json.loads((Path(__file__).parent / "data" / "rating_criteria.json").read_text(encoding="utf-8"))
    valid_from = dt.date.fromisoformat(doc["valid_from"])
    for order, item in enumerate(doc["criteria"]):
        RatingCriterion.objects.update_or_create(
            code=item["code"],
            valid_from=valid_from,
            defaults={
                "text": item["text"],
                "text_en": item.get("text_en", ""),
                "order": order,
                "legal_basis": doc["legal_basis"],
            },
        )
    return len(doc["criteria"])


def status_mapping_seed() -> int:
    """Seed the internal-state → DVCQG ``TrangThaiHoSo`` table from the workflow defaults; idempotent."""
    import datetime as dt

    from motcua.dossiers.models import StatusCodeMapping
    from motcua.dossiers.workflow import DEFAULT_NATIONAL_CODES

    labels = {
        1: "Mới đăng ký",
        2: "Được tiếp nhận",
        3: "Không được tiếp nhận",
        4: "Đang xử lý",
        5: "Yêu cầu bổ sung giấy tờ",
        6: "Yêu cầu thực hiện nghĩa vụ tài chính",
        7: "Công dân yêu cầu rút hồ sơ",
        8: "Dừng xử lý",
        9: "Đã xử lý xong",
        10: "Đã trả kết quả",
        0: "Chưa gửi (bản nháp)",
    }
    for status, code in DEFAULT_NATIONAL_CODES.items():
        StatusCodeMapping.objects.update_or_create(
            status=status,
            valid_from=dt.date(2018, 4, 23),
            defaults={
                "national_code": code,
                "national_label": labels[code],
                "legal_basis": "Danh mục trạng thái hồ sơ đồng bộ Cổng DVCQG (TrangThaiHoSo)",
            },
        )
    return len(DEFAULT_NATIONAL_CODES)


def dossier_receive_at_counter(
    *, clerk: Any, data: SubmissionData, received_component_ids: Sequence[int], idempotency_key: str = ""
) -> Dossier:
    """A paper dossier at the one-stop counter: the clerk records which components were handed in and
    attaches the scans; the dossier gets its code and is received in one transaction."""
    from motcua.accounts.models import User
    from motcua.dossiers.selectors import user_roles_at

    receiving = data.receiving_agency
    if receiving is None or "one_stop_clerk" not in user_roles_at(user=clerk, agency=receiving):
        raise ApplicationError(
            "Bạn không có quyền tiếp nhận tại đơn vị này / You may not receive here.",
            {"field": "receiving_agency"},
        )
    data.channel = Channel.COUNTER
    if data.applicant_user is None and data.applicant.id_number:
        data.applicant_user = User.objects.filter(national_id=data.applicant.id_number.strip()).first()
    required = {c.pk for c in data.version.components.all() if c.required}
    missing = required - set(received_component_ids) - {cid for cid, f in data.files.items() if f}
    if missing:
        names = [c.name for c in data.version.components.filter(pk__in=missing)]
        raise ApplicationError(
            "Hồ sơ còn thiếu thành phần bắt buộc / Required components are missing: " + "; ".join(names),
            {"fields": {f"component_{cid}": "Thiếu / Missing" for cid in missing}},
        )
    with transaction.atomic():
        dossier = dossier_submit(data=data, user=clerk, idempotency_key=idempotency_key)
        if dossier.status != DossierStatus.SUBMITTED:
            return dossier  # an idempotent retry
        dossier.components.filter(catalogue_component_id__in=received_component_ids).update(received=True)
        dossier = dossier_receive(dossier=dossier, clerk=clerk)
    return dossier


def dossier_request_payment(*, dossier: Dossier, officer: Any, items: Sequence[str]) -> Dossier:
    """Ask the applicant to fulfil a financial obligation (e.g. land levies); the clock stops like for a
    supplement (DVCQG status 6)."""
    from motcua.dossiers import deadlines
    from motcua.dossiers.processing import _active_task_for

    clean = [item.strip() for item in items if item.strip()]
    if not clean:
        raise ApplicationError("Vui lòng nêu khoản phải nộp / List what must be paid.", {"field": "items"})
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        task = _active_task_for(dossier, officer, {Actor.SPECIALIST})
        assert dossier.appointment_at is not None
        dossier.paused_remaining_minutes = deadlines.minutes_left(
            agency=dossier.receiving_agency, now=clock.now(), due_at=dossier.appointment_at
        )
        dossier.payment_status = PaymentStatus.DUE
        dossier.save(update_fields=["paused_remaining_minutes", "payment_status"])
        _dossier_transition(
            dossier=dossier,
            action=Action.REQUEST_PAYMENT,
            actor=officer,
            actor_role=task.role,
            actor_agency=task.agency,
            reason="\n".join(clean),
            data={"items": clean},
        )
    return dossier


def dossier_confirm_payment(*, dossier: Dossier, clerk: Any, reference: str) -> Dossier:
    """The one-stop unit records the payment (receipt or transaction reference); the clock resumes."""
    from motcua.dossiers import deadlines
    from motcua.dossiers.processing import tasks_shift_for_pause

    if not reference.strip():
        raise ApplicationError(
            "Vui lòng nhập số biên lai / Enter the receipt reference.", {"field": "reference"}
        )
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        agency = _require_clerk_at(dossier, clerk)
        now = clock.now()
        paused_at = _last_event_at(dossier, Action.REQUEST_PAYMENT)
        dossier.appointment_at = deadlines.resume_with_remaining(
            agency=dossier.receiving_agency,
            resumed_at=now,
            remaining_minutes=dossier.paused_remaining_minutes or 0,
        )
        dossier.paused_remaining_minutes = None
        dossier.payment_status = PaymentStatus.PAID
        dossier.save(update_fields=["appointment_at", "paused_remaining_minutes", "payment_status"])
        _dossier_transition(
            dossier=dossier,
            action=Action.CONFIRM_PAYMENT,
            actor=clerk,
            actor_role=Actor.ONE_STOP_CLERK,
            actor_agency=agency,
            data={"reference": reference},
        )
        tasks_shift_for_pause(dossier=dossier, paused_at=paused_at, resumed_at=now)
    return dossier


def dossier_stop(*, dossier: Dossier, leader: Any, reason: str) -> Dossier:
    """The competent agency stops processing with a notice (form 05; DVCQG status 8)."""
    from motcua.dossiers.models import Task, TaskStatus
    from motcua.dossiers.selectors import user_roles_at

    if not reason.strip():
        raise ApplicationError("Vui lòng nêu lý do dừng xử lý / Give the reason.", {"field": "reason"})
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if "leader" not in user_roles_at(user=leader, agency=dossier.competent_agency):
            raise ApplicationError(
                "Chỉ lãnh đạo cơ quan giải quyết được dừng xử lý / Only a leader of the "
                "competent agency can stop processing."
            )
        _dossier_transition(
            dossier=dossier,
            action=Action.STOP,
            actor=leader,
            actor_role=Actor.LEADER,
            actor_agency=dossier.competent_agency,
            reason=reason.strip(),
        )
        now = clock.now()
        dossier.processing_finished_at = now
        dossier.save(update_fields=["processing_finished_at"])
        Task.objects.filter(dossier=dossier, status__in=[TaskStatus.ACTIVE, TaskStatus.WAITING]).update(
            status=TaskStatus.CANCELLED, completed_at=now
        )
        form_issue(dossier=dossier, kind="05", actor=leader)
    return dossier
