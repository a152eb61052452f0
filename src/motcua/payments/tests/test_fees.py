"""Fee lines from the law in force: online discounts, policy-beneficiary exemptions, effective dates and
the financial-obligation step, each line with the legal basis of what was applied."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.catalog.models import Channel, Fee
from motcua.dossiers.fee_terms import fee_terms
from motcua.payments.fees import line_compute
from motcua.payments.models import FeeRule, FeeRuleCondition, FeeRuleKind
from motcua.payments.tests.conftest import FEE
from motcua.payments.tests.helpers import submitted

pytestmark = pytest.mark.django_db

ONLINE_DISCOUNT = "Nghị quyết 12/2025/NQ-HĐND tỉnh Minh Sơn, Điều 3 (giảm 50% khi nộp trực tuyến)"


def _rule(fee: Fee, **kw) -> FeeRule:  # type: ignore[no-untyped-def]
    defaults = {"legal_basis": ONLINE_DISCOUNT, "effective_from": dt.date(2025, 1, 1)}
    return FeeRule.objects.create(fee=fee, **{**defaults, **kw})


def test_the_online_discount_applies_online_only_and_shows_its_basis(citizen_an, fee_version, frozen) -> None:
    fee = fee_version.fees.get()
    _rule(fee, kind=FeeRuleKind.REDUCE_PERCENT, condition=FeeRuleCondition.ONLINE, percent=50)
    dossier = submitted(fee_version, citizen_an)
    line = dossier.fees.get()
    assert (int(line.amount), int(line.base_amount), line.basis) == (FEE // 2, FEE, ONLINE_DISCOUNT)
    assert dossier.payment_status == "due"
    counter = fee_terms().lines(version=fee_version, channel=Channel.COUNTER, on=dt.date(2025, 3, 3))
    assert [(x.amount, x.basis) for x in counter] == [(FEE, "")]


def test_rules_apply_only_within_their_effective_dates(fee_version, frozen) -> None:
    fee = fee_version.fees.get()
    _rule(
        fee,
        kind=FeeRuleKind.EXEMPT,
        condition=FeeRuleCondition.ALWAYS,
        legal_basis="Nghị quyết tạm miễn lệ phí năm 2024",
        effective_from=dt.date(2024, 1, 1),
        effective_to=dt.date(2024, 12, 31),
    )
    in_2024 = fee_terms().lines(version=fee_version, channel=Channel.ONLINE, on=dt.date(2024, 6, 1))
    in_2025 = fee_terms().lines(version=fee_version, channel=Channel.ONLINE, on=dt.date(2025, 3, 3))
    assert in_2024[0].amount == 0
    assert in_2025[0].amount == FEE


def test_a_policy_beneficiary_is_exempt_and_exemption_wins_over_reductions(fee_version) -> None:
    fee = fee_version.fees.get()
    rules = [
        _rule(fee, kind=FeeRuleKind.REDUCE_AMOUNT, amount=30_000),
        _rule(
            fee,
            kind=FeeRuleKind.EXEMPT,
            condition=FeeRuleCondition.BENEFICIARY,
            beneficiary_category="nguoi_co_cong",
            legal_basis="Pháp lệnh Ưu đãi người có công 02/2020/UBTVQH14",
        ),
    ]
    plain = line_compute(name="x", base=FEE, rules=rules, channel=Channel.COUNTER)
    exempt = line_compute(
        name="x", base=FEE, rules=rules, channel=Channel.COUNTER, beneficiary="nguoi_co_cong"
    )
    assert plain.amount == FEE - 30_000
    assert (exempt.amount, exempt.basis) == (0, "Pháp lệnh Ưu đãi người có công 02/2020/UBTVQH14")
    # Reductions never take a fee below zero; percentages round in whole đồng, no floats.
    assert (
        line_compute(
            name="x",
            base=999,
            rules=[FeeRule(kind="reduce_percent", percent=33, legal_basis="b")],
            channel="online",
        ).amount
        == 999 - 329
    )
    assert (
        line_compute(
            name="x",
            base=10,
            rules=[FeeRule(kind="reduce_amount", amount=50, legal_basis="b")],
            channel="online",
        ).amount
        == 0
    )


def test_a_fee_due_at_the_financial_obligation_step_is_not_asked_on_submission(
    citizen_an, fee_version, frozen
) -> None:
    fee = fee_version.fees.get()
    _rule(fee, kind=FeeRuleKind.DUE_AT_OBLIGATION, legal_basis="Luật Đất đai 2024, Điều 131")
    dossier = submitted(fee_version, citizen_an)
    assert dossier.fees.get().due == "obligation"
    assert dossier.payment_status == "not_required"


def test_an_exempted_dossier_says_so(citizen_an, fee_version, frozen) -> None:
    _rule(fee_version.fees.get(), kind=FeeRuleKind.EXEMPT, condition=FeeRuleCondition.ONLINE)
    dossier = submitted(fee_version, citizen_an)
    assert dossier.payment_status == "exempt"
    assert dossier.fees.get().exempt


def test_paying_the_financial_obligation_online_resumes_processing(
    citizen_an, clerk_binh, specialist_chi, fee_version, platform, frozen
) -> None:
    from motcua.dossiers import services as dossier_services
    from motcua.payments import services
    from motcua.payments.tests.helpers import decide, open_at_platform

    _rule(
        fee_version.fees.get(), kind=FeeRuleKind.DUE_AT_OBLIGATION, legal_basis="Luật Đất đai 2024, Điều 131"
    )
    dossier = dossier_services.dossier_receive(dossier=submitted(fee_version, citizen_an), clerk=clerk_binh)
    dossier = dossier_services.dossier_request_payment(
        dossier=dossier, officer=specialist_chi, items=["Lệ phí"]
    )
    assert dossier.status == "awaiting_payment"
    order = services.order_open(dossier=dossier, payer=citizen_an)
    assert order.amount == FEE
    open_at_platform(platform, order)
    assert services.notification_handle(decide(platform, order, "pay")).code == "00"
    dossier.refresh_from_db()
    assert (dossier.status, dossier.payment_status) == ("processing", "paid")
    assert dossier.events.filter(action="confirm_payment", actor_role="system").exists()


def test_the_clerk_applies_a_beneficiary_exemption_with_its_basis(
    client, citizen_an, clerk_binh, fee_version, frozen
) -> None:
    from motcua.core.errors import ValidationFailedError
    from motcua.payments import services

    basis = "Pháp lệnh Ưu đãi người có công 02/2020/UBTVQH14"
    _rule(
        fee_version.fees.get(),
        kind=FeeRuleKind.EXEMPT,
        condition=FeeRuleCondition.BENEFICIARY,
        beneficiary_category="nguoi_co_cong",
        legal_basis=basis,
    )
    dossier = submitted(fee_version, citizen_an)
    with pytest.raises(ValidationFailedError):
        services.fee_exemption_apply(dossier=dossier, clerk=clerk_binh, category="ho_ngheo")
    client.force_login(clerk_binh)
    client.post(f"/mot-cua/ho-so/{dossier.code}/mien-giam-phi/", {"category": "nguoi_co_cong"})
    dossier.refresh_from_db()
    line = dossier.fees.get()
    assert (dossier.payment_status, int(line.amount), line.basis) == ("exempt", 0, basis)
    assert dossier.events.filter(action="fee_exemption").exists()
