"""The one seam where the dossier workflow hands over to the signatures app to issue a statutory form.

``signatures`` builds on ``dossiers`` (it reads dossiers to fill its documents), so ``dossiers`` must not
import it at module level: the import happens here, when a form is issued, and nowhere else."""

from __future__ import annotations

from typing import Any


def form_issue(*, dossier: Any, kind: str, actor: Any) -> Any:
    """Issue form ``kind`` (02 supplement request, 03 refusal, 04 apology, 05 stop notice) for the event
    just recorded, inside the caller's transaction."""
    from motcua.signatures.issuing import form_document_issue

    return form_document_issue(dossier=dossier, kind=kind, actor=actor)
