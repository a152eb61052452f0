"""Writes of the digitisation app: create a job from the clerk's files, run it in the worker, reap jobs
whose worker died, and mark a dossier component digitised once the clerk has checked the result.

A job moves queued → running → done | failed. ``job_run`` claims it with one conditional UPDATE (two
workers never run the same job), writes its progress and a heartbeat with every page, and on any failure
stores the reason (Vietnamese and English) and keeps no output. A job whose heartbeat is older than the
lease lost its worker: ``jobs_reap`` (from the scheduler) queues it again, or fails it visibly after
``MAX_ATTEMPTS``."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.models import User
from motcua.core import clock
from motcua.core.errors import ConflictError, PermissionDeniedError, ValidationFailedError
from motcua.digitization.models import DigitizationJob, DigitizationSource, JobPurpose, JobState
from motcua.digitization.pipeline import DigitizationError, Result, Source, digitize, source_check
from motcua.dossiers.events import dossier_event_record
from motcua.dossiers.models import DossierComponent, DossierFile
from motcua.dossiers.transitions import require_clerk_at
from motcua.dossiers.uploads import upload_check
from motcua.dossiers.workflow import Action, Actor

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
MAX_SOURCES = 50


def _both(message: Any, params: dict[str, Any] | None = None) -> tuple[str, str]:
    """``message`` (lazy) in Vietnamese and in English, each formatted after translation."""
    with translation.override("vi"):
        vietnamese = str(message) % params if params else str(message)
    with translation.override("en"):
        english = str(message) % params if params else str(message)
    return vietnamese, english


def source_validate(upload: UploadedFile[bytes]) -> str:
    """The content type of one uploaded page file, checked as every upload is (dossiers.uploads: size,
    magic number, parsed with pikepdf or Pillow, no encryption, no JavaScript, no markup); TIFF, which
    dossier uploads do not take, is parsed by the pipeline's own check and Pillow."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        content_type = source_check(Source(upload.name or "scan", data))
    except DigitizationError as exc:
        raise ValidationFailedError(exc.message, exc.extra) from exc
    if content_type == "image/tiff":
        import io

        from PIL import Image

        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
        except Exception as exc:  # Pillow raises many types for bad images
            raise ValidationFailedError(
                _("Tệp ảnh bị hỏng hoặc không đọc được."), {"file": upload.name}
            ) from exc
        return content_type
    return upload_check(upload).content_type


def job_create(
    *,
    uploads: Sequence[UploadedFile[bytes]],
    user: User | None,
    component: DossierComponent | None = None,
    purpose: str = JobPurpose.COMPONENT,
    title: str = "",
) -> DigitizationJob:
    """A queued job holding ``uploads`` in the given order (the clerk's page order); the worker runs it."""
    if not uploads:
        raise ValidationFailedError(_("Chưa chọn tệp nào để số hóa."))
    if len(uploads) > MAX_SOURCES:
        raise ValidationFailedError(_("Tối đa %(n)s tệp trong một lần số hóa.") % {"n": MAX_SOURCES})
    if component is not None and user is not None:
        require_clerk_at(component.dossier, user)
    checked = [(upload, source_validate(upload)) for upload in uploads]
    with transaction.atomic():
        job = DigitizationJob.objects.create(
            purpose=purpose,
            component=component,
            dossier=component.dossier if component is not None else None,
            title=title or (component.name if component is not None else ""),
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        for position, (upload, content_type) in enumerate(checked):
            upload.seek(0)
            data = upload.read()
            source = DigitizationSource(
                job=job,
                position=position,
                original_name=(upload.name or "scan")[:255],
                content_type=content_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
            )
            source.file.save(upload.name or "scan", ContentFile(data), save=False)
            source.save()
        transaction.on_commit(lambda: job_enqueue(job))
    return job


def job_create_from_paths(*, files: Sequence[tuple[str, bytes]], user: User | None = None) -> DigitizationJob:
    uploads = [SimpleUploadedFile(name, data) for name, data in files]
    return job_create(uploads=uploads, user=user, purpose=JobPurpose.ARCHIVE)


def job_enqueue(job: DigitizationJob) -> None:
    from motcua.digitization.tasks import job_run_task

    job_run_task.enqueue(job.pk)


def _job_claim(job_id: int) -> bool:
    now = clock.now()
    claimed = DigitizationJob.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=now, heartbeat_at=now, pages_done=0, error="", error_en=""
    )
    if claimed:
        job = DigitizationJob.objects.get(pk=job_id)
        job.attempts += 1
        job.save(update_fields=["attempts"])
    return bool(claimed)


def job_run(*, job_id: int, jobs: int | None = None) -> DigitizationJob | None:
    """Run the pipeline on a queued job (the worker's task). Returns the job, or None when another worker
    has it (or it is finished)."""
    if not _job_claim(job_id):
        return None
    job = DigitizationJob.objects.get(pk=job_id)
    qs = DigitizationJob.objects.filter(pk=job_id, state=JobState.RUNNING)

    def on_pages(total: int) -> None:
        qs.update(pages_total=total, heartbeat_at=clock.now())

    def on_page(done: int, total: int) -> None:
        qs.update(pages_done=done, heartbeat_at=clock.now())

    try:
        sources = [Source(s.original_name, s.file.read()) for s in _opened(job)]
        result = digitize(sources, jobs=jobs, on_pages=on_pages, on_page=on_page)
    except DigitizationError as exc:
        return _job_fail(job, exc.message, exc.message_en)
    except Exception:
        logger.exception("digitisation job %s failed", job_id)
        vietnamese, english = _both(
            gettext_lazy("Lỗi hệ thống khi số hóa; đã ghi nhật ký. Hãy thử lại hoặc báo quản trị viên.")
        )
        return _job_fail(job, vietnamese, english)
    return _job_finish(job, result)


def _opened(job: DigitizationJob) -> list[DigitizationSource]:
    sources = list(job.sources.all())
    for source in sources:
        source.file.open("rb")
    return sources


def _job_fail(job: DigitizationJob, message: str, message_en: str) -> DigitizationJob:
    job.state = JobState.FAILED
    job.error, job.error_en = message, message_en
    job.finished_at = clock.now()
    job.save(update_fields=["state", "error", "error_en", "finished_at"])
    return job


def _job_finish(job: DigitizationJob, result: Result) -> DigitizationJob:
    name = default_storage.save(f"digitization/{clock.now():%Y/%m}/job-{job.pk}.pdf", ContentFile(result.pdf))
    try:
        with transaction.atomic():
            updated = DigitizationJob.objects.filter(pk=job.pk, state=JobState.RUNNING).update(
                state=JobState.DONE,
                output=name,
                output_sha256=hashlib.sha256(result.pdf).hexdigest(),
                output_size=len(result.pdf),
                pages=[p.as_dict() for p in result.pages],
                pages_total=len(result.pages),
                pages_done=len(result.pages),
                text=result.text,
                fields=result.fields,
                finished_at=clock.now(),
            )
            if not updated:  # reaped meanwhile and failed or re-run: this output is not the job's
                raise ConflictError(_("Công việc số hóa đã bị hủy hoặc chạy lại."))
            from motcua.digitization.search import search_index_job

            search_index_job(job_id=job.pk)
    except Exception:
        default_storage.delete(name)  # nothing half-done is kept
        raise
    job.refresh_from_db()
    return job


def jobs_reap(*, lease_seconds: int) -> int:
    """Jobs left running by a lost worker: queued again (and enqueued), or failed after ``MAX_ATTEMPTS``.
    Returns how many were touched."""
    cutoff = clock.now() - dt.timedelta(seconds=lease_seconds)
    touched = 0
    with transaction.atomic():
        stale = list(
            DigitizationJob.objects.select_for_update(skip_locked=True).filter(
                state=JobState.RUNNING, heartbeat_at__lt=cutoff
            )
        )
        for job in stale:
            touched += 1
            if job.attempts >= MAX_ATTEMPTS:
                vietnamese, english = _both(
                    gettext_lazy("Tiến trình xử lý bị dừng đột ngột %(n)s lần; đã ngừng số hóa tệp này."),
                    {"n": job.attempts},
                )
                _job_fail(job, vietnamese, english)
                logger.error("digitisation job %s given up after %s lost workers", job.pk, job.attempts)
                continue
            job.state = JobState.QUEUED
            job.save(update_fields=["state"])
            logger.warning("digitisation job %s left running by a lost worker: queued again", job.pk)
            transaction.on_commit(lambda job=job: job_enqueue(job))  # type: ignore[misc]
    return touched


def component_mark_digitised(*, job: DigitizationJob, clerk: User) -> DossierComponent:
    """The clerk checked the result: the PDF/A becomes a file of the component, which is marked digitised,
    and the timeline records it (with the fields the clerk saw)."""
    with transaction.atomic():
        job = DigitizationJob.objects.select_for_update().get(pk=job.pk)
        component = job.component
        if component is None:
            raise ValidationFailedError(_("Công việc số hóa này không gắn với thành phần hồ sơ."))
        dossier = component.dossier
        agency = require_clerk_at(dossier, clerk)
        if job.state != JobState.DONE:
            raise ConflictError(_("Chưa số hóa xong, không xác nhận được."))
        if job.confirmed_at is not None:
            raise ConflictError(_("Kết quả số hóa này đã được xác nhận."))
        job.output.open("rb")
        data = job.output.read()
        job.output.close()
        name = f"{component.name[:80]}.pdf"
        dossier_file = DossierFile(
            component=component,
            original_name=name,
            content_type="application/pdf",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=clerk,
        )
        dossier_file.file.save(name, ContentFile(data), save=False)
        dossier_file.save()
        component.digitised = True
        component.received = True
        component.save(update_fields=["digitised", "received"])
        job.confirmed_at = clock.now()
        job.confirmed_by = clerk
        job.save(update_fields=["confirmed_at", "confirmed_by"])
        dossier_event_record(
            dossier=dossier,
            action=Action.DIGITISE,
            actor=clerk,
            actor_role=Actor.ONE_STOP_CLERK,
            actor_agency=agency,
            from_status=dossier.status,
            to_status=dossier.status,
            data={
                "component": component.name,
                "job": job.pk,
                "pages": job.pages_total,
                "sha256": job.output_sha256,
                "originals": [s.sha256 for s in job.sources.all()],
            },
        )
    return component


def certified_copy_issue(*, job: DigitizationJob, clerk: User) -> DigitizationJob:
    """A paper result brought by the citizen, digitised: the one-stop clerk certifies the PDF/A as an
    electronic copy from the original (chứng thực bản sao điện tử từ bản chính) with their own key, through
    the signatures app's signing provider (PAdES, invisible field ``ChungThucBanSao``)."""
    from pathlib import Path

    from django.conf import settings

    from motcua.accounts.models import Role
    from motcua.accounts.selectors import user_has_role
    from motcua.signatures.providers import signer_provider_for
    from motcua.signatures.signing import PkiFiles, SigningError

    with transaction.atomic():
        job = DigitizationJob.objects.select_for_update().get(pk=job.pk)
        if job.dossier is not None:
            require_clerk_at(job.dossier, clerk)
        elif not user_has_role(clerk, Role.ONE_STOP_CLERK):
            raise PermissionDeniedError(_("Chỉ cán bộ tiếp nhận được chứng thực bản sao điện tử."))
        if job.purpose != JobPurpose.CERTIFIED_COPY:
            raise ConflictError(_("Công việc số hóa này không phải bản sao điện tử từ bản chính."))
        if job.state != JobState.DONE:
            raise ConflictError(_("Chưa số hóa xong, không xác nhận được."))
        if job.certified_at is not None:
            raise ConflictError(_("Bản sao điện tử này đã được chứng thực."))
        job.output.open("rb")
        pdf = job.output.read()
        job.output.close()
        try:
            provider = signer_provider_for(clerk.username, pki=PkiFiles(Path(settings.MOTCUA_PKI_DIR)))
            signed = provider.sign(
                pdf=pdf,
                reason="Chứng thực bản sao điện tử từ bản chính",
                location="",
                field_name="ChungThucBanSao",
                appearance=None,
            )
        except SigningError as exc:
            raise ConflictError(
                _("Ký số bản sao điện tử không thành công: %(error)s") % {"error": exc}
            ) from exc
        job.certified_sha256 = hashlib.sha256(signed).hexdigest()
        job.certified_output.save(f"ban-sao-{job.pk}.pdf", ContentFile(signed), save=False)
        job.certified_at = clock.now()
        job.certified_by = clerk
        job.save(update_fields=["certified_output", "certified_sha256", "certified_at", "certified_by"])
    return job
