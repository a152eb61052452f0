"""The port through which the dossier access log reaches the citizen's "who used my data" record
(Law 91/2025/QH15, Decree 356/2025). ``dossiers`` owns the interface; the ``identity`` app, which sits
above it, registers the implementation at start-up (``IdentityConfig.ready``), like
``dossiers.paperwork``. Until one is registered (or in a test that installs none) reads go nowhere but the
dossier access log itself.

Contract: ``staff_reads_record`` MUST write inside the caller's transaction, one record per subject of each
dossier read, and MUST NOT raise for a dossier without an applicant ID number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from motcua.accounts.models import User
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
