"""PAdES B-LTA: keep issued documents verifiable for decades (archival records, Law on Archives 2024).

A B-LT document carries its signers' chains and CRLs, but those prove nothing once the time-stamp's
certificate expires or its algorithms weaken. The archive job adds a *document time-stamp* over the whole
file plus the validation data of the previous time-stamp (pyHanko ``update_archival_timestamp_chain``),
and repeats before each new time-stamp certificate expires. Every step is an incremental update: earlier
signatures stay intact, and each earlier version of the file is a byte prefix of the next.

The job claims a document by compare-and-swap on its digest (no lock held during the TSA round-trip), so
the scheduler and an operator's ``motcua archive run`` can overlap without stamping twice."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q, QuerySet
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers import PdfTimeStamper

from motcua.core import clock
from motcua.core.errors import ApplicationError
from motcua.signatures.models import IssuedDocument
from motcua.signatures.signing import DOCUMENT_TIMESTAMP_FIELD_PREFIX, PkiFiles, timestamper_for

logger = logging.getLogger(__name__)

# Bounded work per run: a daily job that stamps thousands of backlog documents should spread them out.
DEFAULT_BATCH = 500
FIELD_PREFIX = DOCUMENT_TIMESTAMP_FIELD_PREFIX  # the first ones are added at signing (signing.py)
RESTAMP_MIN_DAYS = 30


class ArchiveError(ApplicationError):
    pass


def documents_due_for_archive(*, now: dt.datetime | None = None) -> QuerySet[IssuedDocument]:
    """Signed documents without a known time-stamp expiry, or whose newest time-stamp certificate
    expires within ``MOTCUA_ARCHIVE_MARGIN_DAYS``; none archived in the last ``RESTAMP_MIN_DAYS``."""
    now = now or clock.now()
    limit = now + dt.timedelta(days=settings.MOTCUA_ARCHIVE_MARGIN_DAYS)
    return (
        IssuedDocument.objects.filter(
            Q(timestamp_valid_until__isnull=True) | Q(timestamp_valid_until__lte=limit)
        )
        .exclude(signed_by=[])  # only signed documents become PAdES documents
        # Re-stamping helps only once the TSA has a newer certificate; until then, monthly rather than daily.
        .exclude(archived_at__gt=now - dt.timedelta(days=RESTAMP_MIN_DAYS))
        .order_by(F("timestamp_valid_until").asc(nulls_first=True), "pk")
    )


def _archive_pdf(content: bytes, *, pki: PkiFiles) -> tuple[bytes, str, dt.datetime]:
    """The document with one more document time-stamp (and the DSS updated): new bytes, the new field's
    name and the new time-stamp certificate's expiry."""
    reader = PdfFileReader(io.BytesIO(content))
    field_name = f"{FIELD_PREFIX}{len(reader.embedded_timestamp_signatures) + 1}"
    stamper = PdfTimeStamper(timestamper_for(pki), field_name=field_name)
    output = io.BytesIO()
    stamper.update_archival_timestamp_chain(reader, pki.validation_context(), in_place=False, output=output)
    archived = output.getvalue()
    stamps = PdfFileReader(io.BytesIO(archived)).embedded_timestamp_signatures
    newest = stamps[-1]
    if newest.field_name != field_name:
        raise ArchiveError(
            f"Dấu thời gian lưu trữ không được thêm / The archive time-stamp is missing: {field_name}"
        )
    not_after = newest.signer_cert["tbs_certificate"]["validity"]["not_after"].native
    return archived, field_name, not_after


def document_archive_timestamp_add(*, document: IssuedDocument) -> IssuedDocument:
    """Make ``document`` PAdES B-LTA (or extend its archive chain): add a document time-stamp and the
    validation data of the previous one, store the new file and keep the old digest in ``signed_by``
    (``{"previous_sha256": …}``) so a copy handed out earlier is still recognised as ours.

    Raises ArchiveError when the TSA or the validation fails, or when another run archived the document
    first (nothing is changed then)."""
    pki = PkiFiles(Path(settings.MOTCUA_PKI_DIR))
    with document.file.open("rb") as handle:
        content = handle.read()
    old_sha256 = document.sha256
    if hashlib.sha256(content).hexdigest() != old_sha256:
        # The stored file is not the one we issued: stamping it would certify a tampered file.
        raise ArchiveError(
            "Tệp lưu trữ không khớp mã băm đã phát hành / The stored file does not match its digest.",
            {"document": document.pk},
        )
    try:
        archived, field_name, valid_until = _archive_pdf(content, pki=pki)
    except ArchiveError:
        raise
    except Exception as exc:  # pyHanko and the TSA client raise many types; the job needs one
        raise ArchiveError(
            f"Không thêm được dấu thời gian lưu trữ / Archive time-stamp failed: {exc}",
            {"document": document.pk},
        ) from exc
    if not archived.startswith(content):  # an incremental update never rewrites what was signed
        raise ArchiveError(
            "Cập nhật không phải gia tăng / Not an incremental update.", {"document": document.pk}
        )

    now = clock.now()
    old_name = str(document.file.name)
    new_name = default_storage.save(_versioned_name(old_name, field_name), ContentFile(archived))
    signed_by = [
        *document.signed_by,
        {"archive_timestamp": field_name, "previous_sha256": old_sha256, "at": now.isoformat()},
    ]
    new_sha256 = hashlib.sha256(archived).hexdigest()
    try:
        with transaction.atomic():
            claimed = IssuedDocument.objects.filter(pk=document.pk, sha256=old_sha256).update(
                file=new_name,
                sha256=new_sha256,
                signed_by=signed_by,
                pades_level="B-LTA",
                archived_at=now,
                timestamp_valid_until=valid_until,
            )
            if claimed:
                # The new file holds the old one byte for byte; drop the old copy once the swap is committed.
                transaction.on_commit(lambda: default_storage.delete(old_name))
    except Exception:
        default_storage.delete(new_name)
        raise
    if not claimed:
        default_storage.delete(new_name)
        raise ArchiveError(
            "Văn bản đã được lưu trữ bởi tiến trình khác / Another run archived the document first.",
            {"document": document.pk},
        )
    if document.timestamp_valid_until is not None and valid_until <= document.timestamp_valid_until:
        logger.warning(
            "The archive time-stamp of document %s does not outlast the previous one (%s): "
            "the TSA certificate needs renewing",
            document.pk,
            valid_until,
        )
    document.refresh_from_db()
    logger.info("Archived %s (%s): time-stamp valid until %s", document.pk, field_name, valid_until)
    return document


def _versioned_name(name: str, field_name: str) -> str:
    """``ket-qua-X.pdf`` → ``ket-qua-X-luutrudaihan2.pdf`` (the previous stamp's suffix replaced)."""
    path = Path(name)
    stem = path.stem.split(f"-{FIELD_PREFIX.lower()}")[0]
    return str(path.with_name(f"{stem}-{field_name.lower()}{path.suffix}"))


def documents_archive_due(*, limit: int = DEFAULT_BATCH) -> dict[str, Any]:
    """The periodic job: archive up to ``limit`` due documents; one failure is logged and counted, the
    rest continue (the next run retries it)."""
    result: dict[str, Any] = {"archived": 0, "failed": 0, "errors": []}
    for document in documents_due_for_archive()[:limit]:
        try:
            document_archive_timestamp_add(document=document)
        except ArchiveError as exc:
            result["failed"] += 1
            result["errors"].append(f"{document.pk}: {exc.message}")
            logger.warning("Archive of document %s failed: %s", document.pk, exc.message)
            continue
        result["archived"] += 1
    return result
