"""The signatures app's implementation of the dossiers' ``Paperwork`` port, registered in
``SignaturesConfig.ready``. Each method imports its module when first called: rendering and signing
load typst and pyHanko, which a process that never issues a document need not pay for at start-up."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from motcua.dossiers.models import Dossier
from motcua.dossiers.paperwork import SigningCredentials

if TYPE_CHECKING:
    from motcua.accounts.models import User


class SignaturesPaperwork:
    def form_issue(self, *, dossier: Dossier, kind: str, actor: User) -> Any:
        from motcua.signatures.issuing import form_document_issue

        return form_document_issue(dossier=dossier, kind=kind, actor=actor)

    def receipt_issue(self, *, dossier: Dossier, clerk: User) -> Any:
        from motcua.signatures.issuing import receipt_document_issue

        return receipt_document_issue(dossier=dossier, clerk=clerk)

    def result_issue(self, *, dossier: Dossier, clerical_officer: User, number: str = "") -> str:
        from motcua.signatures.results import result_issue

        return result_issue(dossier=dossier, clerical_officer=clerical_officer, number=number)

    def result_approval_authorise(
        self, *, dossier: Dossier, leader: User, credentials: SigningCredentials | None
    ) -> None:
        from motcua.signatures.authorisation import result_approval_authorise

        result_approval_authorise(dossier=dossier, leader=leader, credentials=credentials)

    def result_draft_fields(self, *, dossier: Dossier) -> list[dict[str, Any]]:
        from motcua.signatures.drafts import result_draft_fields

        return result_draft_fields(dossier=dossier)

    def result_draft_save(self, *, dossier: Dossier, author: Any, values: dict[str, str]) -> dict[str, str]:
        from motcua.signatures.drafts import result_draft_save

        return result_draft_save(dossier=dossier, author=author, values=values)

    def upload_signature_report(self, content: bytes) -> dict[str, Any]:
        from motcua.signatures.uploads import uploaded_pdf_signature_report

        return uploaded_pdf_signature_report(content)
