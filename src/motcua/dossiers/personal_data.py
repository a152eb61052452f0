"""The ports through which dossiers reach the citizen's identity and data: the staff-read log feeding the
"who used my data" record (Law 91/2025/QH15, Decree 356/2025), the personal data store offered at
submission (once-only reuse). ``dossiers`` owns the interfaces; the ``identity`` app, above it,
registers the implementations at start-up (the population pre-fill goes through ``registries``), like
``dossiers.paperwork``. Until one is registered (or in a test that installs none) reads go nowhere but the
dossier access log itself.

Contract: ``staff_reads_record`` MUST write inside the caller's transaction, one record per subject of each
dossier read, and MUST NOT raise for a dossier without an applicant ID number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from motcua.accounts.models import User
    from motcua.catalog.models import Component
    from motcua.dossiers.models import Dossier


class PersonalDataReads(Protocol):
    def staff_reads_record(
        self, *, user: User, reader: str, dossiers: Sequence[Dossier], kind: str, target: str, at: dt.datetime
    ) -> None:
        """Record that staff member ``user`` read the personal data of ``dossiers``' applicants."""
        ...


_reads: PersonalDataReads | None = None


def personal_data_reads_set(reads: PersonalDataReads | None) -> None:
    global _reads
    _reads = reads


def personal_data_reads() -> PersonalDataReads | None:
    return _reads


# --- The citizen's data store (filled by identity) -------------------------------------------------


class DocumentStore(Protocol):
    def vneid_verified(self, user: User) -> bool:
        """Whether the account logged in with a verified national e-identity (VNeID)."""
        ...

    def reuse_offers(
        self, *, user: User, components: Iterable[Component]
    ) -> dict[int, list[tuple[str, str]]]:
        """Per catalogue component id: (value, label) of the user's store documents that may replace it."""
        ...

    def reuse_take(self, *, user: User, component: Component, value: str) -> tuple[Any, dict[str, Any]]:
        """The chosen document as an upload and its provenance (kept on the dossier component). MUST check
        the document's signature now and raise ApplicationError when it no longer validates."""
        ...


_store: DocumentStore | None = None


def document_store_set(store: DocumentStore | None) -> None:
    global _store
    _store = store


def document_store() -> DocumentStore | None:
    return _store
