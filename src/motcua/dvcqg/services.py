"""Writes of the DVCQG sync: draining the outbox (timeline events not yet sent), re-syncing one dossier
by hand, and receiving a dossier submitted on the national portal."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from motcua.core import clock
from motcua.core.errors import ApplicationError, ConflictError, NotFoundError, ValidationFailedError
from motcua.dossiers.changes import dossier_changed
from motcua.dossiers.models import ApplicantKind, Dossier, DossierEvent, ReturnMethod
from motcua.dvcqg.client import DvcqgRejected, DvcqgUnavailable, dvcqg_client
from motcua.dvcqg.mapping import dossier_record, progress_entry
from motcua.dvcqg.models import NationalSubmission, SentEvent, SyncState

logger = logging.getLogger("motcua.dvcqg")

BATCH = 200
# Dossiers per DongBoHoSoMC call (the portal takes a list); a refused call is retried one by one.
CHUNK = 50
MAX_BACKOFF_SECONDS = 3600


def backoff(attempts: int) -> dt.timedelta:
    """5 s, 10 s, 20 s … doubling up to an hour: an outage of any length drains when it ends."""
    return dt.timedelta(seconds=min(MAX_BACKOFF_SECONDS, 5 * 2 ** max(0, attempts - 1)))


@dataclass
class DrainReport:
    dossiers_sent: int = 0
    events_sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "dossiers_sent": self.dossiers_sent,
            "events_sent": self.events_sent,
            "failed": self.failed,
            "errors": self.errors[:20],
        }


def pending_events(*, now: dt.datetime, limit: int = BATCH) -> list[DossierEvent]:
    """Events owed to the portal, oldest first, of dossiers not waiting for their next attempt."""
    return list(
        DossierEvent.objects.filter(dvcqg_sent__isnull=True, dossier__code__isnull=False)
        .filter(
            Q(dossier__dvcqg_sync__isnull=True)
            | Q(dossier__dvcqg_sync__next_attempt_at__isnull=True)
            | Q(dossier__dvcqg_sync__next_attempt_at__lte=now)
        )
        .select_related("actor", "actor_agency")
        .order_by("pk")[:limit]
    )


def outbox_drain(*, limit: int = BATCH, max_batches: int = 50) -> DrainReport:
    """Send what is owed, dossier by dossier: the dossier's record as it is now, then its new progress
    entries. A failure puts that dossier back (``SyncState`` back-off) and the others go on; an outage
    (nothing reachable) stops the run so that it is not tried once per dossier. What was sent is marked
    in one transaction per batch."""
    report = DrainReport()
    for _batch in range(max_batches):
        events = pending_events(now=clock.now(), limit=limit)
        if not events:
            break
        by_dossier: dict[int, list[DossierEvent]] = defaultdict(list)
        for event in events:
            by_dossier[event.dossier_id].append(event)
        dossiers = Dossier.objects.select_related(
            "procedure_version__procedure", "procedure_version__field", "competent_agency"
        ).in_bulk(list(by_dossier))
        synced = set(
            SyncState.objects.filter(dossier_id__in=list(by_dossier))
            .exclude(synced_at=None)
            .values_list("dossier_id", flat=True)
        )
        sent: list[tuple[Dossier, list[DossierEvent], int]] = []
        outage = False
        ids = list(by_dossier)
        for start in range(0, len(ids), CHUNK):
            chunk = [(dossiers[i], by_dossier[i]) for i in ids[start : start + CHUNK]]
            try:
                sent += _chunk_send(chunk, updating=all(d.pk in synced for d, _ in chunk))
                continue
            except DvcqgUnavailable as exc:
                failed: list[tuple[Dossier, str]] = [(d, str(exc)) for d, _ in chunk]
                outage = True
            except DvcqgRejected:
                # One of them is refused: each on its own, so that the others still go.
                failed = []
                for dossier, dossier_events in chunk:
                    try:
                        code = dossier_send(
                            dossier, dossier_events, updating=dossier.pk in synced, mark=False
                        )
                    except (DvcqgUnavailable, DvcqgRejected) as exc:
                        failed.append((dossier, str(exc)))
                        if isinstance(exc, DvcqgUnavailable):
                            outage = True
                            break
                        continue
                    sent.append((dossier, dossier_events, code))
            for dossier, error in failed:
                report.failed += 1
                report.errors.append(f"{dossier.code}: {error}")
                _failed(dossier, error)
            if outage:
                break
        report.dossiers_sent += len(sent)
        report.events_sent += sum(len(events) for _, events, _ in sent)
        _mark_sent(sent)
        if outage:
            # The dossiers not tried in this run wait for the next run, not for a back-off of their own.
            break
    return report


def _chunk_send(
    chunk: list[tuple[Dossier, list[DossierEvent]]], *, updating: bool
) -> list[tuple[Dossier, list[DossierEvent], int]]:
    """Several dossiers in one ``DongBoHoSoMC`` and their progress in one ``CapNhatTienDoHoSoMC``."""
    client = dvcqg_client()
    records = [dossier_record(dossier) for dossier, _ in chunk]
    purpose = "HS:" + ",".join(str(d.code) for d, _ in chunk)[:200]
    client.call("DongBoHoSoMC", purpose=purpose, isUpdating=updating, data=records)
    entries = [progress_entry(event, dossier) for dossier, events in chunk for event in events]
    if entries:
        client.call("CapNhatTienDoHoSoMC", purpose=purpose, data=entries)
    return [(d, events, int(r["TrangThaiHoSo"])) for (d, events), r in zip(chunk, records, strict=True)]


def dossier_send(
    dossier: Dossier, events: list[DossierEvent], *, updating: bool | None = None, mark: bool = True
) -> int:
    """One dossier's record and ``events`` as progress entries; marks the events sent (or lets the
    caller mark a batch). Returns the national status code sent."""
    client = dvcqg_client()
    record = dossier_record(dossier)
    if updating is None:
        updating = SyncState.objects.filter(dossier=dossier).exclude(synced_at=None).exists()
    purpose = f"HS:{dossier.code}"
    client.call("DongBoHoSoMC", purpose=purpose, isUpdating=updating, data=[record])
    if events:
        client.call(
            "CapNhatTienDoHoSoMC", purpose=purpose, data=[progress_entry(event, dossier) for event in events]
        )
    if mark:
        _mark_sent([(dossier, events, record["TrangThaiHoSo"])])
    return int(record["TrangThaiHoSo"])


def _mark_sent(sent: list[tuple[Dossier, list[DossierEvent], int]]) -> None:
    if not sent:
        return
    now = clock.now()
    with transaction.atomic():
        SentEvent.objects.bulk_create(
            [SentEvent(event_id=event.pk, sent_at=now) for _, events, _ in sent for event in events],
            ignore_conflicts=True,
        )
        states = {s.dossier_id: s for s in SyncState.objects.filter(dossier__in=[d for d, _, _ in sent])}
        new: list[SyncState] = []
        first_synced: list[int] = []
        for dossier, _, code in sent:
            state = states.get(dossier.pk) or SyncState(dossier=dossier)
            if state.synced_at is None:
                first_synced.append(dossier.pk)
            state.attempts, state.next_attempt_at, state.last_error = 0, None, ""
            state.last_attempt_at = state.synced_at = now
            state.synced_status_code = code
            if state.pk is None:
                new.append(state)
        SyncState.objects.bulk_create(new)
        fields = [
            "attempts",
            "next_attempt_at",
            "last_error",
            "last_attempt_at",
            "synced_at",
            "synced_status_code",
        ]
        SyncState.objects.bulk_update(list(states.values()), fields)
        # "Synchronised to the national portal" is a fact the IOC counts (index 4.x): rebuild it after commit.
        for dossier_id in first_synced:
            dossier_changed(dossier_id)


def _failed(dossier: Dossier, error: str) -> None:
    now = clock.now()
    state, _ = SyncState.objects.get_or_create(dossier=dossier)
    state.attempts += 1
    state.last_attempt_at = now
    state.next_attempt_at = now + backoff(state.attempts)
    state.last_error = error[:2000]
    state.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at", "last_error"])
    logger.warning("DVCQG sync of %s failed (%s attempt(s)): %s", dossier.code, state.attempts, error)


def dossier_resync(*, code: str) -> None:
    """Send one dossier again now (the operator's re-sync): its record and every event not yet sent,
    whatever its back-off. Raises ConflictError when the portal cannot be reached or refuses."""
    dossier = (
        Dossier.objects.select_related(
            "procedure_version__procedure", "procedure_version__field", "competent_agency"
        )
        .filter(code=code)
        .first()
    )
    if dossier is None:
        raise NotFoundError(_("Không tìm thấy hồ sơ."), {"code": code})
    events = list(
        dossier.events.filter(dvcqg_sent__isnull=True).select_related("actor", "actor_agency").order_by("pk")
    )
    try:
        dossier_send(dossier, events)
    except (DvcqgUnavailable, DvcqgRejected) as exc:
        _failed(dossier, str(exc))
        raise ConflictError(
            _("Chưa đồng bộ được với Cổng Dịch vụ công quốc gia: %(error)s") % {"error": exc},
            {"code": code},
        ) from exc


def drain_enqueue() -> None:
    """Queue one drain after the current transaction commits (once per transaction)."""
    if not settings.MOTCUA_DVCQG_SYNC:
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        func is _drain_after_commit for _sids, func, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(_drain_after_commit, robust=True)


def _drain_after_commit() -> None:
    """One drain per process a second at most (core/wake.py): a drain that starts after this commit
    sends what it wrote, whatever other commits queued it."""
    from motcua.core.wake import drain_wake
    from motcua.dvcqg.tasks import dvcqg_outbox_drain_task

    drain_wake(dvcqg_outbox_drain_task)


# --- dossiers submitted on the national portal ------------------------------------------------------


def _system_user() -> Any:
    """The account our incoming API acts as for the national portal (no password, no login)."""
    from motcua.accounts.models import User

    user, created = User.objects.get_or_create(
        username="dvcqg", defaults={"full_name": "Cổng Dịch vụ công quốc gia", "is_active": True}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _text(payload: dict[str, Any], name: str, limit: int = 1000) -> str:
    value = payload.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str | int):
        raise ValidationFailedError(
            _("Dữ liệu không hợp lệ: %(field)s") % {"field": name}, {"error_code": 500, "field": name}
        )
    return str(value).strip()[:limit]


def national_submission_receive(*, payload: Any, message_id: str = "") -> tuple[Dossier, bool]:
    """A dossier submitted on the national portal, forwarded through the gateway: it gets our code and
    enters the normal intake (status submitted, online channel). Idempotent on ``MaHoSoQG``: the same
    dossier forwarded again answers with the dossier made the first time. Returns (dossier, created)."""
    from motcua.catalog.models import Channel, Procedure
    from motcua.catalog.selectors import procedure_version_for_submission
    from motcua.dossiers import services as dossier_services

    if not isinstance(payload, dict):
        raise ValidationFailedError(_("Yêu cầu phải là đối tượng JSON."), {"error_code": 500})
    national_code = _text(payload, "MaHoSoQG", 64)
    if not national_code:
        raise ValidationFailedError(
            _("Thiếu mã hồ sơ trên Cổng quốc gia (MaHoSoQG)."), {"error_code": 500, "field": "MaHoSoQG"}
        )
    existing = (
        NationalSubmission.objects.filter(national_code=national_code).select_related("dossier").first()
    )
    if existing is not None:
        return existing.dossier, False
    local_code = _text(payload, "MaTTHCDP", 64)
    if not local_code:
        procedure = Procedure.objects.filter(national_code=_text(payload, "MaTTHC", 16)).first()
        local_code = procedure.local_code if procedure is not None else ""
    try:
        version = procedure_version_for_submission(local_code=local_code)
    except NotFoundError as exc:
        raise ValidationFailedError(
            _("Thủ tục không có trong danh mục của tỉnh: %(code)s")
            % {"code": local_code or payload.get("MaTTHC")},
            {"error_code": 500, "field": "MaTTHC"},
        ) from exc
    components = {c.code: c for c in version.components.all()}
    files: dict[int, list[SimpleUploadedFile]] = defaultdict(list)
    attachments = payload.get("TaiLieuNop") or []
    if not isinstance(attachments, list):
        raise ValidationFailedError(_("TaiLieuNop phải là danh sách."), {"error_code": 500})
    for item in attachments:
        if not isinstance(item, dict):
            raise ValidationFailedError(_("TaiLieuNop phải là danh sách đối tượng."), {"error_code": 500})
        component = components.get(str(item.get("MaThanhPhanHoSo") or ""))
        if component is None:
            continue
        try:
            content = base64.b64decode(str(item.get("NoiDungTep") or ""), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationFailedError(
                _("Nội dung tệp không hợp lệ (base64)."), {"error_code": 500, "field": "TaiLieuNop"}
            ) from exc
        name = str(item.get("TenTepDinhKem") or f"{component.code}.pdf")[:200]
        files[component.pk].append(SimpleUploadedFile(name, content, content_type="application/octet-stream"))
    kind = ApplicantKind.BUSINESS if str(payload.get("LoaiDoiTuong")) == "2" else ApplicantKind.CITIZEN
    data = dossier_services.SubmissionData(
        version=version,
        applicant=dossier_services.ApplicantData(
            name=_text(payload, "ChuHoSo", 255),
            id_number=_text(payload, "MaDoiTuong", 14),
            kind=kind,
            phone=_text(payload, "SoDienThoai", 20),
            email=_text(payload, "Email", 254),
            address=_text(payload, "DiaChi", 500),
        ),
        channel=Channel.ONLINE,
        return_method=ReturnMethod.ONLINE,
        summary=_text(payload, "TrichYeuHoSo", 5000),
        files=files,
    )
    user = _system_user()
    stored = {k: v for k, v in payload.items() if k != "TaiLieuNop"}
    try:
        with transaction.atomic():
            dossier = dossier_services.dossier_submit(
                data=data, user=user, idempotency_key=f"dvcqg:{national_code}"
            )
            NationalSubmission.objects.create(
                national_code=national_code,
                dossier=dossier,
                received_at=clock.now(),
                message_id=message_id[:128],
                payload=stored,
            )
    except IntegrityError:
        # The same dossier forwarded twice at once: the first one won.
        existing = (
            NationalSubmission.objects.filter(national_code=national_code).select_related("dossier").first()
        )
        if existing is None:
            raise
        return existing.dossier, False
    except ApplicationError as exc:
        if isinstance(exc, ValidationFailedError):
            raise
        raise ValidationFailedError(exc.message, {"error_code": 500, **exc.extra}) from exc
    return dossier, True
