"""The dossier's fee lines from the law in force: each catalogue fee line of the channel, with the rules
(``FeeRule``) in force on the day applied — an exemption wins over any reduction; reductions add up, never
below zero; a "due at obligation" rule moves the line to the financial-obligation step. Each line carries
the legal basis of what was applied, so the applicant sees why they pay less or nothing."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Q

from motcua.catalog.models import Channel
from motcua.dossiers.fee_terms import DUE_ON_OBLIGATION, DUE_ON_SUBMISSION, FeeLine
from motcua.payments.models import FeeRule, FeeRuleCondition, FeeRuleKind

if TYPE_CHECKING:
    from motcua.catalog.models import ProcedureVersion


def rules_in_force(fee_ids: list[int], on: dt.date) -> dict[int, list[FeeRule]]:
    rules: dict[int, list[FeeRule]] = {fee_id: [] for fee_id in fee_ids}
    for rule in FeeRule.objects.filter(fee_id__in=fee_ids, effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on)
    ):
        rules[rule.fee_id].append(rule)
    return rules


def _applies(rule: FeeRule, *, channel: str, beneficiary: str) -> bool:
    if rule.condition == FeeRuleCondition.ONLINE:
        return channel == Channel.ONLINE
    if rule.condition == FeeRuleCondition.BENEFICIARY:
        return bool(beneficiary) and rule.beneficiary_category == beneficiary
    return True


def line_compute(
    *,
    name: str,
    base: int,
    rules: list[FeeRule],
    channel: str,
    beneficiary: str = "",
    fee_id: int | None = None,
) -> FeeLine:
    applicable = [r for r in rules if _applies(r, channel=channel, beneficiary=beneficiary)]
    due = (
        DUE_ON_OBLIGATION
        if any(r.kind == FeeRuleKind.DUE_AT_OBLIGATION for r in applicable)
        else DUE_ON_SUBMISSION
    )
    exemption = next((r for r in applicable if r.kind == FeeRuleKind.EXEMPT), None)
    if exemption is not None:
        return FeeLine(
            name=name, base_amount=base, amount=0, due=due, basis=exemption.legal_basis, fee_id=fee_id
        )
    amount, bases = base, []
    for rule in applicable:
        if rule.kind == FeeRuleKind.REDUCE_PERCENT:
            # Integer đồng, rounded down in the payer's favour: no float ever touches money.
            amount -= base * rule.percent // 100
        elif rule.kind == FeeRuleKind.REDUCE_AMOUNT:
            amount -= rule.amount
        else:
            continue
        bases.append(rule.legal_basis)
    return FeeLine(
        name=name, base_amount=base, amount=max(amount, 0), due=due, basis="; ".join(bases), fee_id=fee_id
    )


class CatalogueFeeTerms:
    """``dossiers.fee_terms.FeeTerms`` over the catalogue and the fee rules."""

    def lines(
        self, *, version: ProcedureVersion, channel: str, on: dt.date, beneficiary: str = ""
    ) -> list[FeeLine]:
        fees = [f for f in version.fees.all() if f.channel in ("", channel)]
        rules = rules_in_force([f.pk for f in fees], on)
        return [
            line_compute(
                name=f.name,
                base=int(f.amount),
                rules=rules[f.pk],
                channel=channel,
                beneficiary=beneficiary,
                fee_id=f.pk,
            )
            for f in fees
        ]
