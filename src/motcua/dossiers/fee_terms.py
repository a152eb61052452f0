"""The port through which a submission gets the dossier's fee lines from the law in force: amounts after
exemptions and reductions, each with its legal basis, and when each falls due. ``dossiers`` owns this
interface; the ``payments`` app (above it) registers the implementation in ``PaymentsConfig.ready``.
Without one, the catalogue's amounts apply as they are, all due on submission."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from motcua.catalog.models import ProcedureVersion

DUE_ON_SUBMISSION = "submission"
DUE_ON_OBLIGATION = "obligation"


@dataclass(frozen=True)
class FeeLine:
    name: str
    base_amount: int  # đồng, the catalogue's amount
    amount: int  # đồng, after exemptions and reductions
    due: str = DUE_ON_SUBMISSION
    basis: str = ""  # the legal basis of the exemption or reduction applied, shown to the applicant
    fee_id: int | None = None


class FeeTerms(Protocol):
    def lines(
        self, *, version: ProcedureVersion, channel: str, on: dt.date, beneficiary: str = ""
    ) -> list[FeeLine]: ...


class CatalogueAmounts:
    """The fallback: the catalogue's fee lines for the channel, as they are."""

    def lines(
        self, *, version: ProcedureVersion, channel: str, on: dt.date, beneficiary: str = ""
    ) -> list[FeeLine]:
        return [
            FeeLine(name=f.name, base_amount=int(f.amount), amount=int(f.amount), fee_id=f.pk)
            for f in version.fees.all()
            if f.channel in ("", channel)
        ]


_terms: FeeTerms | None = None


def fee_terms_set(implementation: FeeTerms | None) -> FeeTerms | None:
    """Register (or with None remove) the implementation; returns the previous one (for tests)."""
    global _terms  # one process-wide port, set once at start-up
    previous, _terms = _terms, implementation
    return previous


def fee_terms() -> FeeTerms:
    return _terms or CatalogueAmounts()
