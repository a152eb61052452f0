"""Submission (Decree 61/2018 art. 15–17, Decree 45/2020): an applicant (online, by post) or a clerk at the
counter hands in a dossier. Validation, the unsaved rows both write paths share, and the drafts; the
rows are written by ``submission_write``."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils.translation import gettext as _

from motcua.agencies.models import Agency
from motcua.catalog.models import Channel, ProcedureVersion
from motcua.core import clock
from motcua.core.errors import ApplicationError, PermissionDeniedError
from motcua.dossiers.codes import dossier_code_allocate, dossier_code_parts, lookup_secret_new
from motcua.dossiers.fee_terms import DUE_ON_SUBMISSION, fee_terms
from motcua.dossiers.models import (
    ApplicantKind,
    Dossier,
    DossierComponent,
    DossierFee,
    DossierFile,
    PaymentStatus,
    ReturnMethod,
)
from motcua.dossiers.personal_data import document_store
from motcua.dossiers.sensitive import component_is_identity_document, dossier_file_store
from motcua.dossiers.services import submission_write
from motcua.dossiers.transitions import dossier_transition
from motcua.dossiers.uploads import upload_check
from motcua.dossiers.workflow import Action, Actor, DossierStatus, transition_for

if TYPE_CHECKING:
    from motcua.accounts.models import User


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
    files: Mapping[int, Sequence[UploadedFile[bytes]]] = field(default_factory=dict)
    # At the counter: the citizen's account when they have one (so the dossier shows in "my dossiers").
    applicant_user: User | None = None
    # Optional uses, each only with the applicant's explicit consent (boxes never pre-ticked).
    sms_consent: bool = False
    survey_consent: bool = False
    # catalogue component id -> provenance of the store document its file was taken from (once-only reuse)
    reused: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)


# Free text a citizen types: the database columns bound the applicant's fields; these bound the rest.
SUMMARY_MAX_LENGTH = 5_000
FORM_DATA_MAX_CHARS = 64_000
_PHONE = re.compile(r"\+?[0-9][0-9 .-]{6,18}[0-9]")


def _too_long(limit: int) -> str:
    return _("Tối đa %(limit)s ký tự.") % {"limit": f"{limit:,}"}


def _applicant_field_errors(data: SubmissionData) -> dict[str, str]:
    """Field errors for the applicant's details (every channel: API, portal, counter, post), so that a
    value the database would refuse is a message on its field and not a server error."""
    applicant = data.applicant
    errors: dict[str, str] = {}
    if applicant.kind not in ApplicantKind.values:
        errors["applicant_kind"] = _("Loại chủ hồ sơ không hợp lệ.")
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
        errors["applicant_phone"] = _("Số điện thoại không hợp lệ.")
    email = applicant.email.strip()
    if email and "applicant_email" not in errors:
        try:
            validate_email(email)
        except ValidationError:
            errors["applicant_email"] = _("Địa chỉ thư điện tử không hợp lệ.")
    submitter_id = applicant.submitter_id_number.strip()
    if submitter_id and not (len(submitter_id) == 12 and submitter_id.isdigit()):
        errors["submitter_id_number"] = _("Số định danh cá nhân của người nộp thay gồm 12 chữ số.")
    return errors


def _validate_submission(data: SubmissionData, *, as_draft: bool = False) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.applicant.name.strip():
        errors["applicant_name"] = _("Vui lòng nhập tên chủ hồ sơ.")
    id_number = data.applicant.id_number.strip()
    if data.applicant.kind == ApplicantKind.CITIZEN and not (len(id_number) == 12 and id_number.isdigit()):
        errors["applicant_id_number"] = _("Số định danh cá nhân gồm 12 chữ số.")
    if data.applicant.kind == ApplicantKind.BUSINESS and not (10 <= len(id_number) <= 14):
        errors["applicant_id_number"] = _("Mã số doanh nghiệp không hợp lệ.")
    errors.update(_applicant_field_errors(data))
    if data.return_method not in ReturnMethod.values:
        errors["return_method"] = _("Hình thức nhận kết quả không hợp lệ.")
    if len(data.summary) > SUMMARY_MAX_LENGTH:
        errors["summary"] = _too_long(SUMMARY_MAX_LENGTH)
    if len(json.dumps(data.form_data, ensure_ascii=False)) > FORM_DATA_MAX_CHARS:
        errors["form_data"] = _("Nội dung tờ khai quá dài (tối đa %(limit)s ký tự).") % {
            "limit": f"{FORM_DATA_MAX_CHARS:,}"
        }
    if data.channel not in data.version.channels:
        errors["channel"] = _("Thủ tục này không nhận hồ sơ qua kênh đã chọn.")
    components = {c.pk: c for c in _components(data.version)}
    for component_id in data.files:
        if component_id not in components:
            errors[f"component_{component_id}"] = _("Thành phần hồ sơ không thuộc thủ tục.")
    if data.channel == Channel.ONLINE and not as_draft:
        for component in components.values():
            if component.required and not data.files.get(component.pk):
                errors[f"component_{component.pk}"] = _("Thiếu thành phần bắt buộc: %(name)s") % {
                    "name": component.name
                }
    return errors


class IdempotencyKeyReusedError(ApplicationError):
    """The Idempotency-Key of an earlier submission came with another body (IETF Idempotency-Key draft)."""

    status_code = 422


def submission_fingerprint(data: SubmissionData, checked: Mapping[int, Sequence[Any]]) -> str:
    """SHA-256 of the request in canonical form: procedure version, applicant, channel, choices, form
    data and the digests of the files. Equal requests give equal fingerprints whatever the key order."""
    canonical = {
        "version": data.version.pk,
        "applicant": asdict(data.applicant),
        "channel": data.channel,
        "return_method": data.return_method,
        "summary": data.summary,
        "form_data": data.form_data,
        "receiving_agency": data.receiving_agency.pk if data.receiving_agency else None,
        "helped_at": data.helped_at.pk if data.helped_at else None,
        "applicant_user": getattr(data.applicant_user, "pk", None),
        "sms_consent": data.sms_consent,
        "survey_consent": data.survey_consent,
        "files": {str(cid): [c.sha256 for c in files] for cid, files in sorted(checked.items())},
    }
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _idempotent_replay(creator: Any, key: str, fingerprint: str) -> Dossier | None:
    """The dossier a first attempt with ``key`` created, when this request is the same one."""
    existing = Dossier.objects.filter(created_by=creator, idempotency_key=key).first()
    if existing is None:
        return None
    # Dossiers from before the fingerprint existed have none: they keep answering as before.
    if existing.idempotency_fingerprint and existing.idempotency_fingerprint != fingerprint:
        raise IdempotencyKeyReusedError(
            _("Khóa Idempotency-Key này đã được dùng cho một hồ sơ khác nội dung."),
            {"idempotency_key": key, "dossier": existing.code},
        )
    return existing


def _channel_check(data: SubmissionData, creator: Any) -> None:
    """Only a one-stop clerk of the receiving agency records a dossier handed in at the counter or
    received by post; an applicant submits online (security review F3: a citizen's token declared
    "counter", skipping the required documents)."""
    if data.channel == Channel.ONLINE:
        return
    from motcua.accounts.selectors import user_roles_at

    receiving = (
        data.receiving_agency or data.version.receiving_agencies.first() or data.version.competent_agency
    )
    if creator is None or Actor.ONE_STOP_CLERK not in user_roles_at(user=creator, agency=receiving):
        raise PermissionDeniedError(
            _("Chỉ cán bộ một cửa được ghi nhận hồ sơ nộp trực tiếp hoặc qua bưu chính."),
            {"field": "channel"},
        )


def dossier_submit(
    *, data: SubmissionData, user: User, idempotency_key: str = "", as_draft: bool = False
) -> Dossier:
    """Create and submit a dossier (online or by post) under one code; returns the existing dossier when
    the same user retries with the same idempotency key.

    Nothing is left behind on failure: the rows roll back and files already written are deleted.
    """
    creator = user if getattr(user, "is_authenticated", False) else None
    _channel_check(data, creator)
    # No look-up before the insert: the unique (created_by, idempotency_key) constraint decides, so the
    # common case (a first attempt) costs no extra query and concurrent retries cannot both win.
    errors = _validate_submission(data, as_draft=as_draft)
    checked = {
        cid: [upload_check(f, field=f"component_{cid}") for f in files] for cid, files in data.files.items()
    }
    fingerprint = submission_fingerprint(data, checked) if idempotency_key and creator is not None else ""
    if errors and fingerprint:
        # A retry of a request that succeeded once is answered with its dossier even if a rule has
        # changed since; a retry with another body is refused all the same.
        existing = _idempotent_replay(creator, idempotency_key, fingerprint)
        if existing is not None:
            return existing
    if errors:
        raise ApplicationError(
            _("Hồ sơ chưa hợp lệ, vui lòng kiểm tra các trường được đánh dấu."),
            {"fields": errors},
        )
    at_counter = data.channel == Channel.COUNTER
    actor_role = Actor.ONE_STOP_CLERK if at_counter else Actor.APPLICANT
    # The dossier is written in its submitted state at once (one INSERT instead of INSERT + UPDATE).
    transition = None if as_draft else transition_for(Action.SUBMIT, DossierStatus.DRAFT, actor_role)
    rows = submission_write.SubmissionRows(
        dossier=_dossier_build(
            data=data,
            creator=creator,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
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
        if transition is not None and submission_write.writes_in_one_statement():
            submission_write.submission_write_in_one_statement(
                rows,
                actor=creator,
                actor_role=actor_role,
                actor_agency=data.receiving_agency if at_counter else None,
            )
        else:
            submission_write.submission_write_orm(
                rows,
                submitted=transition is not None,
                actor=creator,
                actor_role=actor_role,
                actor_agency=data.receiving_agency if at_counter else None,
            )
    except (OperationalError, InterfaceError):
        # The connection broke (a database restart): whether the write committed is unknown — a commit
        # whose answer was lost leaves a dossier that refers to these files (fault-injection test). They
        # stay: the daily sweep (``uploads_sweep``) removes files no dossier refers to, and the client's
        # retry with its idempotency key is answered with the dossier if it was written.
        raise
    except IntegrityError:
        files_delete(rows.files)
        if idempotency_key and creator is not None:
            # A retry (or a concurrent retry that won the race): answer with the first attempt's dossier.
            existing = _idempotent_replay(creator, idempotency_key, fingerprint)
            if existing is not None:
                return existing
        raise
    except BaseException:
        files_delete(rows.files)
        raise
    dossier = rows.dossier
    dossier._just_created = True  # type: ignore[attr-defined]  # lets the API answer 201 instead of 200
    return dossier


def dossier_submit_draft(*, dossier: Dossier, user: User) -> Dossier:
    """Send a saved draft: check the required components now, give it its code, submit."""
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if dossier.applicant_user_id != getattr(user, "pk", None):
            raise ApplicationError(_("Không tìm thấy hồ sơ."))
        missing = {
            f"component_{c.catalogue_component_id}": _("Thiếu thành phần bắt buộc: %(name)s")
            % {"name": c.name}
            for c in dossier.components.select_related("catalogue_component")
            if c.catalogue_component is not None and c.catalogue_component.required and not c.files.exists()
        }
        if missing and dossier.channel == Channel.ONLINE:
            raise ApplicationError(_("Hồ sơ chưa đủ thành phần."), {"fields": missing})
        dossier.submitted_at = clock.now()
        parts = dossier_code_parts(dossier)
        dossier.code = dossier_code_allocate(agency=parts.agency, day=parts.day, marker=parts.marker)
        dossier.save(update_fields=["code", "submitted_at"])
        dossier_transition(
            dossier=dossier, action=Action.SUBMIT, actor=user, actor_role=Actor.APPLICANT, actor_agency=None
        )
    return dossier


def _components(version: ProcedureVersion) -> list[Any]:
    # .all() reuses a prefetch when the caller made one (procedure_version_for_submission).
    return list(version.components.all())


def files_delete(files: Sequence[DossierFile]) -> None:
    for stored in files:
        with contextlib.suppress(OSError):
            stored.file.delete(save=False)


def _dossier_build(
    *,
    data: SubmissionData,
    creator: Any,
    idempotency_key: str,
    as_draft: bool,
    status: str,
    fingerprint: str = "",
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
        idempotency_fingerprint=fingerprint if creator is not None and idempotency_key else "",
        created_by=creator,
        submitted_at=None if as_draft else clock.now(),
        lookup_secret=lookup_secret_new(),
        sms_consent_at=clock.now() if data.sms_consent else None,
        survey_consent_at=clock.now() if data.survey_consent else None,
        vneid_verified=_vneid_verified(data, creator),
    )


def _vneid_verified(data: SubmissionData, creator: Any) -> bool:
    """Submitted online by an account logged in with VNeID (the identity app answers, through the port)."""
    store = document_store()
    return (
        data.channel == Channel.ONLINE
        and creator is not None
        and store is not None
        and store.vneid_verified(creator)
    )


def _fees_build(*, data: SubmissionData, dossier: Dossier) -> list[DossierFee]:
    """The fee lines of this channel under the law in force today (``fee_terms``: exemptions and
    reductions with their legal basis, and when each falls due); the dossier's payment status follows
    from the lines due now."""
    lines = fee_terms().lines(version=data.version, channel=data.channel, on=clock.local_today())
    fees = [
        DossierFee(
            dossier=dossier,
            name=line.name,
            amount=line.amount,
            base_amount=line.base_amount,
            exempt=line.base_amount > 0 and line.amount == 0,
            basis=line.basis,
            due=line.due,
        )
        for line in lines
    ]
    due_now = [fee for fee in fees if fee.due == DUE_ON_SUBMISSION]
    if any(fee.amount > 0 for fee in due_now):
        dossier.payment_status = PaymentStatus.DUE
    elif any(fee.exempt for fee in fees):
        dossier.payment_status = PaymentStatus.EXEMPT
    else:
        dossier.payment_status = PaymentStatus.NOT_REQUIRED
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
                    reused_from_store=component.pk in data.reused,
                    reuse_provenance=dict(data.reused[component.pk]) if component.pk in data.reused else None,
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
            dossier_file_store(stored, upload, sensitive=component_is_identity_document(component))
            files.append(stored)
    return built
