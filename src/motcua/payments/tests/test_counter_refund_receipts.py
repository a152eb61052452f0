"""Counter payments, refunds and e-receipts (numbered per series, PDF/A, signed by the agency)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail

from motcua.core.errors import ApplicationError, ConflictError, NotFoundError
from motcua.dossiers import services as dossier_services
from motcua.payments import services
from motcua.payments.models import OrderStatus, Receipt
from motcua.payments.receipts import amount_in_words, receipt_issue
from motcua.payments.tests.conftest import FEE
from motcua.payments.tests.helpers import decide, open_at_platform, submitted
from motcua.signatures.pki import pki_demo_build, pki_write

pytestmark = pytest.mark.django_db


def test_the_clerk_records_a_cash_payment_and_nobody_pays_twice(
    citizen_an, clerk_binh, clerk_other_agency, fee_version, frozen
) -> None:
    dossier = submitted(fee_version, citizen_an)
    with pytest.raises(ApplicationError):  # a clerk of another centre
        services.counter_payment_record(dossier=dossier, clerk=clerk_other_agency, method="cash")
    order = services.counter_payment_record(
        dossier=dossier, clerk=clerk_binh, method="cash", reference="Q-12"
    )
    dossier.refresh_from_db()
    assert (order.status, order.amount, order.channel) == (OrderStatus.PAID, FEE, "counter_cash")
    assert (dossier.payment_status, dossier.paid_online, dossier.payment_channel) == (
        "paid",
        False,
        "counter_cash",
    )
    with pytest.raises(ConflictError):
        services.counter_payment_record(dossier=dossier, clerk=clerk_binh, method="card")
    with pytest.raises(ConflictError):
        services.order_open(dossier=dossier, payer=citizen_an)


def test_the_desk_form_records_a_card_payment(client, citizen_an, clerk_binh, fee_version, frozen) -> None:
    dossier = submitted(fee_version, citizen_an)
    client.force_login(clerk_binh)
    response = client.post(
        f"/mot-cua/ho-so/{dossier.code}/thu-phi/", {"method": "card", "reference": "POS-1"}
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.payment_channel == "counter_card"


def test_a_withdrawn_dossier_is_refunded_through_the_platform(
    citizen_an, clerk_binh, fee_version, platform, frozen
) -> None:
    dossier = submitted(fee_version, citizen_an)
    order = services.order_open(dossier=dossier, payer=citizen_an)
    open_at_platform(platform, order)
    services.notification_handle(decide(platform, order, "pay"))
    order.refresh_from_db()
    with pytest.raises(ConflictError):  # the dossier still goes on: nothing to refund
        services.order_refund(order=order, actor=clerk_binh, reason="Nhầm")
    dossier_services.dossier_withdraw(dossier=dossier, user=citizen_an, reason="Không còn nhu cầu")
    services.order_refund(order=order, actor=clerk_binh, reason="Công dân rút hồ sơ")
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == (OrderStatus.REFUNDED, FEE)
    assert order.events.filter(kind="refunded").get().amount == -FEE
    assert [line.kind for line in platform.settlement] == ["payment", "refund"]
    assert dossier.events.filter(action="fee_refunded").exists()


def test_a_refund_with_the_platform_down_changes_nothing(
    citizen_an, clerk_binh, fee_version, platform, settings, frozen
) -> None:
    dossier = submitted(fee_version, citizen_an)
    order = services.order_open(dossier=dossier, payer=citizen_an)
    open_at_platform(platform, order)
    services.notification_handle(decide(platform, order, "pay"))
    dossier_services.dossier_withdraw(dossier=dossier, user=citizen_an, reason="Không còn nhu cầu")
    settings.MOTCUA_PAYMENT_URL = "http://127.0.0.1:9"
    with pytest.raises(ApplicationError):
        services.order_refund(order=order, actor=clerk_binh, reason="Công dân rút hồ sơ")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert not order.events.filter(kind="refunded").exists()


def test_amounts_in_words() -> None:
    assert amount_in_words(100_000) == "Một trăm nghìn đồng"
    assert amount_in_words(1_250_005) == "Một triệu hai trăm năm mươi nghìn không trăm linh năm đồng"
    assert amount_in_words(21) == "Hai mươi mốt đồng"


@pytest.fixture
def receipt_signing(frozen, settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    pki_write(
        pki_demo_build(people={"binh": ("Trần Văn Bình", "Trung tâm Phục vụ hành chính công")}), tmp_path
    )
    settings.MOTCUA_PKI_DIR = str(tmp_path)
    settings.MOTCUA_SIGN_RESULTS = True
    settings.MOTCUA_RECEIPT_SIGNER = "binh"
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def test_receipts_are_numbered_per_series_signed_and_validate(
    client,
    citizen_an,
    citizen_other,
    clerk_binh,
    fee_version,
    receipt_signing,
    django_capture_on_commit_callbacks,
) -> None:
    from motcua.signatures.verification import pdf_verify

    first = services.counter_payment_record(
        dossier=submitted(fee_version, citizen_an), clerk=clerk_binh, method="cash"
    )
    with django_capture_on_commit_callbacks(execute=True):
        second = services.counter_payment_record(
            dossier=submitted(fee_version, citizen_an), clerk=clerk_binh, method="card"
        )
    # The drain woken after the second commit issues every paid order left without a receipt (the first
    # one's commit was not run here), oldest order first.
    one = Receipt.objects.get(order=first)
    two = Receipt.objects.get(order=second)
    assert (one.number, two.number) == (1, 2)
    assert receipt_issue(order_id=first.pk) == one  # issued once
    assert one.series == two.series
    assert one.series.template_symbol == "01BLP0-001"
    pdf = one.pdf.read()
    assert pdf.startswith(b"%PDF")
    report = pdf_verify(
        pdf=pdf,
        trust_roots=[receipt_signing / "root.crt.pem"],
        intermediates=[receipt_signing / "issuing.crt.pem"],
    )
    assert report["all_valid"], report
    assert "Trần Văn Bình" in report["signatures"][0]["signer"]
    assert any("bien-lai" in a[0] for m in mail.outbox for a in m.attachments)
    client.force_login(citizen_an)
    response = client.get(f"/thanh-toan/{first.txn_ref}/bien-lai.pdf")
    assert response.status_code == 200
    client.force_login(citizen_other)
    assert client.get(f"/thanh-toan/{first.txn_ref}/bien-lai.pdf").status_code == 404
    from motcua.payments.selectors import receipt_get

    with pytest.raises(NotFoundError):
        receipt_get(user=citizen_other, txn_ref=first.txn_ref)


def test_the_signed_receipt_is_kept_once_in_the_payers_data_store(
    citizen_an, clerk_binh, fee_version, receipt_signing, django_capture_on_commit_callbacks
) -> None:
    from motcua.identity.models import DocumentSource, StoredDocument
    from motcua.identity.reference import identity_reference_seed
    from motcua.payments.receipts import RECEIPT_KIND, receipt_to_store

    identity_reference_seed()
    with django_capture_on_commit_callbacks(execute=True):
        order = services.counter_payment_record(
            dossier=submitted(fee_version, citizen_an), clerk=clerk_binh, method="cash"
        )
    receipt = Receipt.objects.get(order=order)
    stored = StoredDocument.objects.get(owner_id_number="001090012345", source_ref=f"receipt:{receipt.pk}")
    assert (stored.source, stored.kind.code if stored.kind else None) == (DocumentSource.ISSUED, RECEIPT_KIND)
    assert stored.sha256 == receipt.sha256
    assert stored.dossier_code == order.dossier.code
    assert (stored.data["number"], stored.data["amount"]) == (receipt.display_number, FEE)
    assert stored.signature_verdict == "valid"  # checked at once against the trust list
    receipt_to_store(receipt.pk)  # a second time (a retried task): still one
    assert StoredDocument.objects.filter(source_ref=f"receipt:{receipt.pk}").count() == 1
    from motcua.identity.store import store_documents

    assert [d.pk for d in store_documents(id_number="001090012345")] == [stored.pk]


def test_a_payer_without_an_identity_number_gets_no_store_copy(
    citizen_an, clerk_binh, fee_version, frozen, django_capture_on_commit_callbacks
) -> None:
    from motcua.identity.models import StoredDocument

    dossier = submitted(fee_version, citizen_an)
    type(dossier).objects.filter(pk=dossier.pk).update(applicant_id_number="")
    with django_capture_on_commit_callbacks(execute=True):
        services.counter_payment_record(dossier=dossier, clerk=clerk_binh, method="cash")
    assert Receipt.objects.filter(order__dossier=dossier).exists()
    assert not StoredDocument.objects.exists()
