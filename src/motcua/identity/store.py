"""The personal data store (kho dữ liệu điện tử của tổ chức, cá nhân — Decree 45/2020/NĐ-CP art. 16,
Decree 107/2021): every e-result issued to a person, the components they submitted, records fetched from
national databases and digitised documents — and the once-only reuse of them when submitting.

* ``store_document_add`` is the one service other apps call to put a record or a document in a person's
  store (a national-database record, a digitised document);
* ``store_sync`` brings in what this system already holds for the person (issued results, submitted
  files), idempotently, each under a ``source_ref`` unique per owner;
* ``store_document_verify`` checks a file's signatures now (signatures.services.document_verify);
* reuse (``StoreForDossiers``, the ``dossiers.personal_data`` store port): a document is offered for a
  component whose name its kind maps to, and taken only if its file's signatures validate *now* and it is
  still valid — an e-result signed by the competent agency is reused without certification (domain-vn §2.4).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from motcua.core import clock
from motcua.core.errors import ApplicationError, NotFoundError
from motcua.identity.models import DocumentKind, DocumentSource, StoredDocument

if TYPE_CHECKING:
    from motcua.accounts.models import User
    from motcua.catalog.models import Component

# Names that ask for a form the applicant fills in, not an existing document: never matched to a kind.
_FORM_PREFIXES = ("tờ khai", "đơn ", "đề nghị", "giấy đề nghị", "văn bản đề nghị", "thông báo")


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def kind_for_name(name: str, kinds: Iterable[DocumentKind] | None = None) -> DocumentKind | None:
    """The document kind a component (or a result) named ``name`` is, by the kinds' mapping (data)."""
    folded = _fold(name)
    if folded.startswith(_FORM_PREFIXES):
        return None
    for kind in kinds if kinds is not None else DocumentKind.objects.all():
        if any(_fold(n) in folded for n in kind.component_names if n):
            return kind
    return None


def store_document_add(
    *,
    owner_id_number: str,
    title: str,
    source: str,
    source_ref: str,
    kind_code: str = "",
    issuer: str = "",
    issue_date: dt.date | None = None,
    valid_until: dt.date | None = None,
    content: bytes | None = None,
    file_name: str = "",
    content_type: str = "application/pdf",
    data: Mapping[str, Any] | None = None,
    dossier_code: str = "",
) -> StoredDocument:
    """Add (or, for the same ``source_ref``, return) a document or record in a person's store. A PDF is
    verified at once, so the store shows its signature report."""
    if source not in DocumentSource.values:
        raise ApplicationError(_("Nguồn giấy tờ không hợp lệ."), {"field": "source"})
    existing = StoredDocument.objects.filter(owner_id_number=owner_id_number, source_ref=source_ref).first()
    if existing is not None:
        return existing
    kind = DocumentKind.objects.filter(code=kind_code).first() if kind_code else kind_for_name(title)
    doc = StoredDocument(
        owner_id_number=owner_id_number,
        kind=kind,
        title=title[:500],
        issuer=issuer[:300],
        issue_date=issue_date,
        valid_until=valid_until,
        source=source,
        source_ref=source_ref[:128],
        dossier_code=dossier_code,
        data=dict(data or {}),
        content_type=content_type if content is not None else "",
        added_at=clock.now(),
    )
    if content is not None:
        doc.sha256 = hashlib.sha256(content).hexdigest()
        doc.file.save(file_name or f"{source}.pdf", ContentFile(content), save=False)
    try:
        with transaction.atomic():
            doc.save()
    except IntegrityError:  # the same source_ref added concurrently
        if doc.file:
            doc.file.delete(save=False)
        return StoredDocument.objects.get(owner_id_number=owner_id_number, source_ref=source_ref)
    if content is not None:
        store_document_verify(doc)
    return doc


def store_sync(*, id_number: str) -> int:
    """Bring the results issued to ``id_number`` and the files they submitted into their store; returns
    how many documents were added."""
    from motcua.dossiers.models import DossierFile
    from motcua.signatures.models import IssuedDocument

    if not id_number:
        return 0
    known = set(StoredDocument.objects.filter(owner_id_number=id_number).values_list("source_ref", flat=True))
    kinds = list(DocumentKind.objects.all())
    added = 0
    results = IssuedDocument.objects.filter(
        kind="result", dossier__applicant_id_number=id_number
    ).select_related("dossier__procedure_version", "dossier__competent_agency")
    for issued in results:
        ref = f"issued:{issued.pk}"
        if ref in known:
            continue
        version = issued.dossier.procedure_version
        name = version.result_name or version.name
        StoredDocument.objects.create(
            owner_id_number=id_number,
            kind=kind_for_name(name, kinds),
            title=f"{name} — {issued.number}" if issued.number else name,
            issuer=issued.dossier.competent_agency.name,
            issue_date=issued.issued_at.astimezone(clock.VIETNAM_TZ).date(),
            source=DocumentSource.ISSUED,
            source_ref=ref,
            dossier_code=issued.dossier.code or "",
            file=issued.file.name,
            content_type="application/pdf",
            sha256=issued.sha256,
            added_at=clock.now(),
        )
        added += 1
    files = DossierFile.objects.filter(
        component__dossier__applicant_id_number=id_number, encrypted=False, component__reused_from_store=False
    ).select_related("component__dossier")
    for stored in files:
        ref = f"file:{stored.pk}"
        if ref in known:
            continue
        dossier = stored.component.dossier
        StoredDocument.objects.create(
            owner_id_number=id_number,
            kind=kind_for_name(stored.component.name, kinds),
            title=stored.component.name,
            issuer=_("Người nộp tải lên"),
            issue_date=stored.uploaded_at.astimezone(clock.VIETNAM_TZ).date() if stored.uploaded_at else None,
            source=DocumentSource.SUBMITTED,
            source_ref=ref,
            dossier_code=dossier.code or "",
            file=stored.file.name,
            content_type=stored.content_type,
            sha256=stored.sha256,
            signature_report=stored.signature_report,
            added_at=clock.now(),
        )
        added += 1
    return added


def store_documents(*, id_number: str) -> list[StoredDocument]:
    return list(StoredDocument.objects.filter(owner_id_number=id_number).select_related("kind"))


def store_document_get(*, user: User, pk: int) -> StoredDocument:
    """A document of the user's own store; anything else is NotFoundError."""
    doc = StoredDocument.objects.filter(pk=pk, owner_id_number=user.national_id or "-").first()
    if doc is None or not user.national_id:
        raise NotFoundError(_("Không tìm thấy giấy tờ."))
    return doc


def store_document_content(doc: StoredDocument) -> bytes:
    with doc.file.open("rb") as handle:
        return bytes(handle.read())


def store_document_verify(doc: StoredDocument) -> str:
    """Check the file's signatures now against the trust list; store and return the verdict ("valid",
    "invalid", "modified", "unsigned", "unreadable"; "" for a record without a file)."""
    from motcua.signatures.services import document_verify

    if not doc.file:
        return ""
    report: dict[str, Any] | None
    try:
        content = store_document_content(doc)
        if doc.sha256 and hashlib.sha256(content).hexdigest() != doc.sha256:
            verdict, report = "modified", {"verdict": "modified", "detail": "sha256 changed"}
        elif doc.content_type == "application/pdf" or content[:5] == b"%PDF-":
            report = document_verify(content=content)
            verdict = str(report.get("verdict") or "invalid")
        else:
            verdict, report = "unsigned", None
    except (ApplicationError, OSError) as exc:
        verdict, report = "unreadable", {"verdict": "unreadable", "detail": str(exc)}
    doc.signature_verdict = verdict
    doc.signature_report = report
    doc.verified_at = clock.now()
    if doc.pk:
        doc.save(update_fields=["signature_verdict", "signature_report", "verified_at"])
    return verdict


def store_document_reusable(doc: StoredDocument, *, today: dt.date | None = None) -> tuple[bool, str]:
    """Whether a document may replace an upload, from its last check; with the reason when not."""
    today = today or clock.local_today()
    if not doc.file:
        return False, _("Bản ghi dữ liệu, không có tệp văn bản.")
    if doc.valid_until is not None and doc.valid_until < today:
        return False, _("Giấy tờ đã hết hiệu lực.")
    if doc.signature_verdict != "valid":
        return False, _(
            "Chữ ký số của giấy tờ không còn hợp lệ (hoặc không có chữ ký số): không dùng lại được."
        )
    return True, ""


def _provenance(doc: StoredDocument) -> dict[str, Any]:
    report = doc.signature_report or {}
    signers = [
        {
            "signer": s.get("signer") or s.get("signer_name") or s.get("common_name") or "",
            "valid": bool(s.get("valid")),
            "trusted": bool(s.get("trusted")),
            "signed_at": s.get("signing_time") or s.get("timestamp") or "",
        }
        for s in report.get("signatures", [])
        if isinstance(s, dict) and s.get("kind") == "signature"
    ]
    return {
        "store_document": doc.pk,
        "title": doc.title,
        "kind": doc.kind.name if doc.kind else "",
        "source": doc.source,
        "source_label": str(DocumentSource(doc.source).label),
        "issuer": doc.issuer,
        "issue_date": doc.issue_date.isoformat() if doc.issue_date else "",
        "valid_until": doc.valid_until.isoformat() if doc.valid_until else "",
        "dossier_code": doc.dossier_code,
        "sha256": doc.sha256,
        "signature_verdict": doc.signature_verdict,
        "signatures": signers,
        "verified_at": doc.verified_at.isoformat() if doc.verified_at else "",
    }


class StoreForDossiers:
    """The ``dossiers.personal_data`` store port: offers for a submission, and taking one."""

    def vneid_verified(self, user: User) -> bool:
        from motcua.identity.models import VneidLink

        return bool(getattr(user, "is_authenticated", False)) and VneidLink.objects.filter(user=user).exists()

    def reuse_offers(
        self, *, user: User, components: Iterable[Component]
    ) -> dict[int, list[tuple[str, str]]]:
        """For each component (by catalogue id): (value, label) of the documents that may replace it."""
        id_number = getattr(user, "national_id", "")
        if not id_number:
            return {}
        store_sync(id_number=id_number)
        docs = [d for d in store_documents(id_number=id_number) if d.kind_id is not None and d.file]
        if not docs:
            return {}
        kinds = list(DocumentKind.objects.filter(pk__in={d.kind_id for d in docs}))
        offers: dict[int, list[tuple[str, str]]] = {}
        for component in components:
            kind = kind_for_name(component.name, kinds)
            if kind is None:
                continue
            for doc in docs:
                if doc.kind_id != kind.pk:
                    continue
                if not doc.verified_at:
                    store_document_verify(doc)
                ok, _why = store_document_reusable(doc)
                if ok:
                    when = doc.issue_date.strftime("%d/%m/%Y") if doc.issue_date else ""
                    label = f"{doc.title} — {doc.issuer} {when}".strip()
                    offers.setdefault(component.pk, []).append((f"store:{doc.pk}", label))
        return offers

    def reuse_take(self, *, user: User, component: Component, value: str) -> tuple[Any, dict[str, Any]]:
        """The chosen document as an upload plus its provenance; the signature is checked again now."""
        try:
            pk = int(value.removeprefix("store:"))
        except ValueError as exc:
            raise ApplicationError(_("Giấy tờ trong kho không hợp lệ."), {"field": "reuse"}) from exc
        doc = store_document_get(user=user, pk=pk)
        kind = kind_for_name(component.name)
        if kind is None or doc.kind_id != kind.pk:
            raise ApplicationError(
                _("Giấy tờ này không phải loại thành phần hồ sơ được yêu cầu."),
                {"fields": {f"component_{component.pk}": _("Giấy tờ không đúng loại.")}},
            )
        store_document_verify(doc)
        ok, why = store_document_reusable(doc)
        if not ok:
            raise ApplicationError(why, {"fields": {f"component_{component.pk}": why}})
        content = store_document_content(doc)
        name = (doc.file.name or "").rsplit("/", 1)[-1] or "giay-to.pdf"
        upload = SimpleUploadedFile(name, content, content_type=doc.content_type or "application/pdf")
        return upload, _provenance(doc)
