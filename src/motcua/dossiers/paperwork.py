"""The port through which dossiers reach the paperwork of an action: statutory forms, the signed result
and the check of signed uploads. ``dossiers`` owns this interface; the ``signatures`` app, which sits
above it (it reads dossiers to fill its documents), registers the implementation when it is ready
(``SignaturesConfig.ready``), like ``core.access.agency_scope_provider_set``. So ``dossiers`` never
imports ``signatures`` (the import-graph test holds it), and a test can install a fake.

Contract of every implementation (RFC 2119):

* each call MUST run inside the caller's transaction and write nothing outside it: when it raises, the
  action rolls back with everything it wrote, numbers taken from a register included;
* a refusal a person can act on (signing failed, nothing to issue) MUST be an ``ApplicationError``;
* ``result_issue`` MUST number (the given number, else the next of the competent agency's register),
  render, sign and store the result in that one call, and MUST set ``dossier.result_number``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier


class Paperwork(Protocol):
    def form_issue(self, *, dossier: Dossier, kind: str, actor: Any) -> Any:
        """Issue form ``kind`` (02 supplement request, 03 refusal, 04 apology, 05 stop notice) for the
        timeline event just recorded."""
        ...

    def result_issue(self, *, dossier: Dossier, clerical_officer: Any, number: str = "") -> str:
        """Number, render, sign (the approving leader, then the agency) and store the result; returns
        the number and symbol ("15/GP-SVHTTDL")."""
        ...

    def upload_signature_report(self, content: bytes) -> dict[str, Any]:
        """The verification report of a signed PDF an applicant uploads, kept with the file."""
        ...


_paperwork: Paperwork | None = None


def paperwork_set(implementation: Paperwork | None) -> Paperwork | None:
    """Register (or with None remove) the implementation; returns the previous one (for tests)."""
    global _paperwork  # one process-wide port, set once at start-up
    previous, _paperwork = _paperwork, implementation
    return previous


def paperwork() -> Paperwork:
    if _paperwork is None:
        raise RuntimeError("no Paperwork registered: is motcua.signatures in INSTALLED_APPS?")
    return _paperwork
