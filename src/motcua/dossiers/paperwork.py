"""The port through which dossiers reach the paperwork of an action: statutory forms, the signed result
and the check of signed uploads. ``dossiers`` owns this interface; the ``signatures`` app, which sits
above it (it reads dossiers to fill its documents), registers the implementation when it is ready
(``SignaturesConfig.ready``), like ``core.access.agency_scope_provider_set``. So ``dossiers`` never
imports ``signatures`` (the import-graph test holds it), and a test can install a fake.

Contract of every implementation (RFC 2119):

* each call MUST run inside the caller's transaction and write nothing outside it: when it raises, the
  action rolls back with everything it wrote, numbers taken from a register included;
* a refusal a person can act on (signing failed, nothing to issue) MUST be an ``ApplicationError``;
* ``result_issue`` MUST number (the given number, reserved in the competent agency's register, else the
  next of that register), render, sign and store the result in that one call, and MUST set
  ``dossier.result_number``; it MUST NOT apply the approving leader's personal signature without an
  unconsumed authorisation that leader gave for the dossier, and MUST consume it in the same
  transaction (``ConflictError`` without one: nothing is numbered, signed or stored);
* ``result_approval_authorise`` MUST raise (and record nothing) unless the leader re-authenticated for
  this dossier now (``credentials``) or earlier in the same batch; when it passes, the authorisation is
  recorded with a timeline event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from motcua.accounts.models import User
    from motcua.dossiers.models import Dossier


@dataclass(frozen=True)
class SigningCredentials:
    """What a leader gives again to authorise their personal signature on a result: the password, and
    the TOTP code when they have a device (a CSC SAD later)."""

    password: str = ""
    otp: str = ""


class Paperwork(Protocol):
    def form_issue(self, *, dossier: Dossier, kind: str, actor: User) -> Any:
        """Issue form ``kind`` (02 supplement request, 03 refusal, 04 apology, 05 stop notice) for the
        timeline event just recorded."""
        ...

    def receipt_issue(self, *, dossier: Dossier, clerk: User) -> Any:
        """Form 01 as an electronic document: rendered, digitally signed by the receiving official who
        acts now (Circular 03/2025/TT-VPCP Annex I: "Chữ ký số của công chức tiếp nhận … nếu là biểu mẫu
        điện tử") and stored. MUST run inside the receipt's transaction; a failed signature fails it."""
        ...

    def result_issue(self, *, dossier: Dossier, clerical_officer: User, number: str = "") -> str:
        """Number, render, sign (the approving leader, then the agency) and store the result; returns
        the number and symbol ("15/GP-SVHTTDL")."""
        ...

    def result_approval_authorise(
        self, *, dossier: Dossier, leader: User, credentials: SigningCredentials | None
    ) -> None:
        """The leader approves a result that will carry their personal signature: check that they
        authorised it (see the contract) and record the authorisation."""
        ...

    def result_draft_fields(self, *, dossier: Dossier) -> list[dict[str, Any]]:
        """The variable content of the dossier's result template, with the current draft's values:
        ``[{"name", "label", "required", "multiline", "value"}]``."""
        ...

    def result_draft_save(self, *, dossier: Dossier, author: Any, values: dict[str, str]) -> dict[str, str]:
        """Validate and store the draft of the result's variable content; returns the cleaned values.
        Raises ``ApplicationError`` with ``{"fields": {...}}`` for invalid values."""
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
