"""Checks on every uploaded component file: size, declared type, and the bytes themselves — the magic
number first, then the file is parsed (pikepdf for a PDF, Pillow for an image): a renamed file, a PDF
that is encrypted or carries JavaScript, and a file that is also an HTML page (a polyglot) are refused.

Also the sweep of files written for a submission that was never recorded."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from motcua.core import clock
from motcua.core.errors import ApplicationError
from motcua.dossiers.paperwork import paperwork

logger = logging.getLogger(__name__)

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


def upload_check(upload: UploadedFile[bytes], *, field: str = "file") -> CheckedUpload:
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
            _content_parse(upload, content_type, field=field)
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


# Markup a browser would run if the file were ever served inline or sniffed as HTML. Binary image and
# compressed PDF data contain such a sequence by chance with negligible probability (about 1e-8 per 10 MB).
_MARKUP = re.compile(rb"<\s*(?:script|html|body|iframe|svg|!doctype\s+html)\b", re.IGNORECASE)


def _refused(message: str, *, field: str, upload: UploadedFile[bytes]) -> ApplicationError:
    return ApplicationError(message, {"field": field, "file": upload.name})


def _content_parse(upload: UploadedFile[bytes], content_type: str, *, field: str) -> None:
    """Parse the file as what its magic number claims (review security F12): five bytes prove nothing."""
    data = upload.read()
    upload.seek(0)
    if _MARKUP.search(data):
        raise _refused(
            _("Tệp chứa mã HTML hoặc mã lệnh."),
            field=field,
            upload=upload,
        )
    if content_type == "application/pdf":
        _pdf_parse(data, field=field, upload=upload)
    else:
        _image_parse(data, content_type, field=field, upload=upload)


def _pdf_parse(data: bytes, *, field: str, upload: UploadedFile[bytes]) -> None:
    import pikepdf

    encrypted_message = _("Không nhận tệp PDF có mật khẩu hoặc được mã hóa.")
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise _refused(encrypted_message, field=field, upload=upload) from exc
    except Exception as exc:  # qpdf raises PdfError and, for some damage, others
        raise _refused(
            _("Tệp PDF bị hỏng hoặc không đọc được."),
            field=field,
            upload=upload,
        ) from exc
    if pdf.is_encrypted:  # an empty user password opens it, but it stays encrypted and restricted
        pdf.close()
        raise _refused(encrypted_message, field=field, upload=upload)
    with pdf:
        if _pdf_has_javascript(pdf):
            raise _refused(
                _("Không nhận tệp PDF chứa mã JavaScript."),
                field=field,
                upload=upload,
            )


def _pdf_has_javascript(pdf: Any) -> bool:
    """A JavaScript action anywhere (OpenAction, page, field and link actions) or the document-level
    JavaScript name tree. Only dictionaries and arrays are walked; no stream is inflated (no flate bombs)."""
    import pikepdf

    names = pdf.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/JavaScript" in names:
        return True
    return any(_javascript_in(obj, top=True) for obj in pdf.objects)


def _javascript_in(obj: Any, *, top: bool) -> bool:
    """Looks at one indirect object and the direct objects inside it (the indirect ones it refers to are
    visited on their own, so a cycle cannot recur)."""
    import pikepdf

    if isinstance(obj, pikepdf.Stream):
        obj = obj.stream_dict
    if isinstance(obj, pikepdf.Dictionary):
        if not top and obj.is_indirect:
            return False
        if obj.get("/S") == pikepdf.Name.JavaScript or "/JS" in obj:
            return True
        return any(_javascript_in(value, top=False) for _, value in obj.items())
    if isinstance(obj, pikepdf.Array):
        if not top and obj.is_indirect:
            return False
        return any(_javascript_in(value, top=False) for value in obj)
    return False


def _image_parse(data: bytes, content_type: str, *, field: str, upload: UploadedFile[bytes]) -> None:
    from PIL import Image

    expected = {"image/jpeg": "JPEG", "image/png": "PNG"}[content_type]
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format
            image.verify()
    except Exception as exc:  # Pillow raises many types (and DecompressionBombError) for bad images
        raise _refused(
            _("Tệp ảnh bị hỏng hoặc không đọc được."),
            field=field,
            upload=upload,
        ) from exc
    if image_format != expected:
        raise _refused(
            _("Phần mở rộng của tệp không khớp với nội dung."),
            field=field,
            upload=upload,
        )


# --- Orphan files ------------------------------------------------------------------------------------
# Where submissions write component files (DossierFile.file's upload_to, below MEDIA_ROOT).
UPLOADS_DIR = "dossiers"


def upload_orphans_sweep(*, older_than: dt.timedelta = dt.timedelta(days=1)) -> list[str]:
    """Delete component files that no DossierFile row names and that are older than ``older_than``.

    A submission writes its files before the statement that records them, so a process killed in
    between (or a disk that filled up on an older version) leaves files nobody refers to (review
    reliability F8). Younger files may belong to a submission in progress and are left alone.
    Returns the names deleted (relative to MEDIA_ROOT)."""
    from motcua.dossiers.models import DossierFile

    media_root = Path(settings.MEDIA_ROOT)
    root = media_root / UPLOADS_DIR
    if not root.is_dir():
        return []
    cutoff = (clock.now() - older_than).timestamp()
    old = {
        path.relative_to(media_root).as_posix(): path
        for path in root.rglob("*")
        if path.is_file() and path.stat().st_mtime < cutoff
    }
    names = sorted(old)
    deleted: list[str] = []
    for start in range(0, len(names), 500):  # SQLite limits the parameters of one statement
        batch = names[start : start + 500]
        referenced = set(DossierFile.objects.filter(file__in=batch).values_list("file", flat=True))
        for name in batch:
            if name not in referenced:
                old[name].unlink(missing_ok=True)
                deleted.append(name)
    if deleted:
        logger.warning("deleted %d orphan upload files", len(deleted))
    return deleted
