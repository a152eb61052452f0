"""Checks on every uploaded component file: size, declared type, and the bytes themselves."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from motcua.core.errors import ApplicationError
from motcua.dossiers.paperwork import paperwork

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

# Magic numbers: a renamed .exe must not pass as a PDF.
_SIGNATURES: dict[str, tuple[tuple[bytes, ...], tuple[str, ...]]] = {
    "application/pdf": ((b"%PDF-",), (".pdf",)),
    "image/jpeg": ((b"\xff\xd8\xff",), (".jpg", ".jpeg")),
    "image/png": ((b"\x89PNG\r\n\x1a\n",), (".png",)),
}


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    size: int
    sha256: str
    # For a PDF carrying digital signatures: the verification report made now (through the port).
    signature_report: dict[str, Any] | None = None


def _looks_signed(chunk: bytes) -> bool:
    # Every PDF signature dictionary has a /ByteRange; an unsigned PDF (the common case) costs nothing more.
    return b"/ByteRange" in chunk


def upload_check(upload: UploadedFile, *, field: str = "file") -> CheckedUpload:
    name = (upload.name or "").lower()
    size = upload.size or 0
    if size == 0:
        raise ApplicationError(_("Tệp rỗng."), {"field": field, "file": upload.name})
    if size > MAX_UPLOAD_BYTES:
        raise ApplicationError(
            _("Tệp vượt quá %(size)s MB.") % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
            {"field": field, "file": upload.name, "size": size},
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for content_type, (magics, extensions) in _SIGNATURES.items():
        if any(head.startswith(m) for m in magics):
            if not name.endswith(extensions):
                raise ApplicationError(
                    _("Phần mở rộng của tệp không khớp với nội dung."),
                    {"field": field, "file": upload.name},
                )
            digest = hashlib.sha256()
            is_pdf = content_type == "application/pdf"
            signed = False
            tail = b""
            for chunk in upload.chunks():
                digest.update(chunk)
                if is_pdf and not signed:
                    signed = _looks_signed(tail + chunk)
                    tail = chunk[-16:]
            upload.seek(0)
            report = None
            if signed:
                report = paperwork().upload_signature_report(upload.read())
                upload.seek(0)
            return CheckedUpload(
                content_type=content_type, size=size, sha256=digest.hexdigest(), signature_report=report
            )
    raise ApplicationError(
        _("Chỉ nhận tệp PDF, JPEG hoặc PNG."),
        {"field": field, "file": upload.name},
    )
