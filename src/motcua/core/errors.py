"""One error hierarchy for the whole project, mapped once to ``{"message", "extra"}`` by the API."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A rule of the domain was broken; ``message`` is shown to a person (Vietnamese, then English).

    ``extra`` carries machine-readable details such as ``{"field": "...", "procedure": "..."}``.
    """

    status_code = 400

    def __init__(self, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class PermissionDeniedError(ApplicationError):
    status_code = 403


class NotFoundError(ApplicationError):
    """Also raised when an object exists but the caller may not see it, so IDs cannot be probed."""

    status_code = 404


class ConflictError(ApplicationError):
    """The request is well-formed and allowed, but the state of the record does not permit it now (for
    example a result whose signer has not authorised the signature)."""

    status_code = 409
