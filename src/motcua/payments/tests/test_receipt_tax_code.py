"""The collecting agency's tax code on the e-receipt (Decree 123/2020/NĐ-CP art. 32), and no receipt at all
while the agency has none: the payment stands, the receipt job fails with the reason in both languages, and
the receipt is issued — with the first number of the register, none lost — once the code is entered."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from django.tasks import TaskResultStatus
from pdfminer.high_level import extract_text

from motcua.agencies.models import Agency
from motcua.payments import services
from motcua.payments.models import OrderStatus, Receipt, ReceiptSeries
from motcua.payments.receipts import ReceiptNotIssuableError, receipt_issue, receipts_issue_pending
from motcua.payments.tasks import receipts_drain_task
from motcua.payments.tests.helpers import submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_the_receipt_shows_the_collecting_agencys_tax_code(
    citizen_an, clerk_binh, fee_version, frozen, media
) -> None:
    order = services.counter_payment_record(
        dossier=submitted(fee_version, citizen_an), clerk=clerk_binh, method="cash"
    )
    agency = order.dossier.receiving_agency
    Agency.objects.filter(pk=agency.pk).update(tax_code="9900100094-001")

    receipt = receipt_issue(order_id=order.pk)

    assert receipt is not None
    text = " ".join(extract_text(io.BytesIO(receipt.pdf.read())).split())
    assert "Mã số thuế: 9900100094-001" in text
    assert agency.name.upper() in text


def test_no_receipt_is_issued_while_the_collecting_agency_has_no_tax_code(
    citizen_an, clerk_binh, fee_version, frozen, media, caplog
) -> None:
    order = services.counter_payment_record(
        dossier=submitted(fee_version, citizen_an), clerk=clerk_binh, method="cash"
    )
    agency = order.dossier.receiving_agency
    Agency.objects.filter(pk=agency.pk).update(tax_code="")

    with caplog.at_level(logging.ERROR, logger="motcua.payments.receipts"):
        job = receipts_drain_task.enqueue()  # the immediate backend runs it here

    assert job.status == TaskResultStatus.SUCCESSFUL
    assert job.return_value == {"issued": 0, "tried": 1}  # tried, refused, left for a later run
    assert "chưa có mã số thuế" in caplog.text
    assert "has no tax code" in caplog.text
    assert agency.code in caplog.text
    assert not Receipt.objects.exists()
    assert not ReceiptSeries.objects.filter(last_number__gt=0).exists()  # no number taken
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID  # the money is recorded all the same
    assert receipts_issue_pending() == (0, 1)  # the scheduler tries again, and still refuses
    with pytest.raises(ReceiptNotIssuableError):
        receipt_issue(order_id=order.pk)

    Agency.objects.filter(pk=agency.pk).update(tax_code="9900100094")
    assert receipts_issue_pending() == (1, 1)
    assert Receipt.objects.get(order=order).number == 1
