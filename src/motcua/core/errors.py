"""One error hierarchy for the whole project: every refusal of the domain is an ``ApplicationError``.

``config/api.py`` maps it once to ``{"message", "extra"}`` with the class's ``status_code``; the web
pages show ``message`` on the page. So a refusal is never a server error, whichever entry point hit it.

====================== ====== =====================================================================
class                  status when
====================== ====== =====================================================================
ApplicationError       400    a rule of the domain was broken (the general case)
ValidationFailedError  400    input fails a rule; ``extra["fields"]`` names the fields
PermissionDeniedError  403    the caller sees the object but may not do this
NotFoundError          404    missing, or hidden from the caller (ids cannot be probed)
ConflictError          409    the object's state has moved on (e.g. a transition done twice)
====================== ====== =====================================================================
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A rule of the domain was broken; ``message`` is shown to a person (translated by gettext).

    ``extra`` carries machine-readable details such as ``{"field": "...", "procedure": "..."}``.
    """

    status_code = 400

    def __init__(self, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class ValidationFailedError(ApplicationError):
    """Input that breaks a rule; ``extra["fields"]`` maps field names to their messages."""

    status_code = 400


class PermissionDeniedError(ApplicationError):
    status_code = 403


class NotFoundError(ApplicationError):
    """Also raised when an object exists but the caller may not see it, so IDs cannot be probed."""

    status_code = 404


class ConflictError(ApplicationError):
    """The request was valid when sent, but the object's state no longer allows it (sent twice, out of
    order, someone else acted first, or a result whose signer has not authorised the signature)."""

    status_code = 409
