"""E-receipts (biên lai thu phí, lệ phí điện tử; Decree 123/2020/NĐ-CP as amended by Decree 70/2025): one per
paid order, numbered in its agency's register (template symbol + series, per year, no gaps: the number
is taken under a row lock in the receipt's transaction), rendered to PDF/A with typst, signed with the
collecting agency's key through the signing providers, and e-mailed to the payer when they gave an
address. Online or at the counter, the receipt is the same."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typst
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction

from motcua.core import clock
from motcua.payments.models import EventKind, OrderStatus, PaymentEvent, PaymentOrder, Receipt, ReceiptSeries

if TYPE_CHECKING:
    from motcua.agencies.models import Agency

logger = logging.getLogger(__name__)

TEMPLATE = Path(__file__).parent / "typst" / "fee_receipt.typ"
SIGNATURE_FIELD = "ChuKyDonViThu"

_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def _three(n: int, full: bool) -> str:
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if full or hundreds:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0 and units and (full or hundreds):
        words.append("linh")
    elif tens == 1:
        words.append("mười")
    elif tens > 1:
        words += [_DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens > 1:
            words.append("mốt")
        elif units == 5 and tens > 0:
            words.append("lăm")
        else:
            words.append(_DIGITS[units])
    return " ".join(words)


def amount_in_words(amount: int) -> str:
    """Vietnamese words for a whole number of đồng (the receipt prints the total in words)."""
    if amount == 0:
        return "Không đồng"
    groups: list[int] = []
    while amount:
        groups.append(amount % 1000)
        amount //= 1000
    units = ["", "nghìn", "triệu", "tỷ", "nghìn tỷ", "triệu tỷ"]
    parts = []
    for i in range(len(groups) - 1, -1, -1):
        if groups[i]:
            parts.append((_three(groups[i], i != len(groups) - 1) + " " + units[i]).strip())
    text = " ".join(parts) + " đồng"
    return text[0].upper() + text[1:]


def money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def _series_for(order: PaymentOrder, year: int) -> ReceiptSeries:
    agency = order.dossier.receiving_agency
    series, _ = ReceiptSeries.objects.get_or_create(
        agency=agency,
        template_symbol=settings.MOTCUA_RECEIPT_TEMPLATE_SYMBOL,
        series=f"{settings.MOTCUA_RECEIPT_SERIES_PREFIX}-{year % 100:02d}E",
        year=year,
    )
    return ReceiptSeries.objects.select_for_update().get(pk=series.pk)


class ReceiptNotIssuableError(RuntimeError):
    """The receipt cannot lawfully be issued (e.g. the collecting agency has no tax code). The payment stands;
    the job fails with this message on it and the scheduler issues the receipt once the cause is fixed."""


def receipt_refusal(agency: Agency) -> str:
    """Why ``agency``'s receipts cannot be issued, in Vietnamese and English ("" when they can). Decree
    123/2020/NĐ-CP art. 32 lists the collecting organisation's tax code among a receipt's contents: a
    receipt without it is not a valid receipt, so none is issued — rather than one the payer cannot use."""
    if agency.tax_code:
        return ""
    return (
        f"Chưa phát hành biên lai: đơn vị thu {agency.name} ({agency.code}) chưa có mã số thuế, nội dung bắt"
        " buộc của biên lai (Nghị định 123/2020/NĐ-CP, Điều 32). Nhập mã số thuế ở trang quản trị cơ quan;"
        " biên lai được phát hành ở lần chạy sau. / Receipt not issued: the collecting agency"
        f" {agency.code} has no tax code, which a receipt must show (Decree 123/2020/NĐ-CP art. 32)."
        " Enter it in the agency admin; the receipt is issued at the next run."
    )


def receipt_data(receipt: Receipt) -> dict[str, Any]:
    order = receipt.order
    issued = (
        clock.local_now() if receipt.issued_at is None else receipt.issued_at.astimezone(clock.VIETNAM_TZ)
    )
    return {
        "agency": order.dossier.receiving_agency.name,
        "tax_code": order.dossier.receiving_agency.tax_code,
        "template_symbol": receipt.series.template_symbol,
        "series": receipt.series.series,
        "number": receipt.display_number,
        "day": f"{issued.day:02d}",
        "month": f"{issued.month:02d}",
        "year": str(issued.year),
        "payer": receipt.payer_name,
        "dossier_code": order.dossier.code or "",
        "procedure": order.dossier.procedure_version.name,
        "channel": order.get_channel_display(),
        "reference": order.provider_txn_no,
        "lines": [{"name": line["name"], "amount": money(int(line["amount"]))} for line in receipt.lines],
        "total": money(receipt.amount),
        "total_words": amount_in_words(receipt.amount),
    }


def receipt_render(receipt: Receipt) -> bytes:
    from motcua.signatures.render import document_font

    font = document_font()
    pdf = typst.compile(
        str(TEMPLATE),
        sys_inputs={"data": json.dumps(receipt_data(receipt), ensure_ascii=False), "font": font.family},
        font_paths=list(font.directories),
        pdf_standards=["a-2b"],
    )
    if not isinstance(pdf, bytes):
        raise RuntimeError("typst returned no PDF")
    return pdf


def _sign(pdf: bytes, receipt: Receipt) -> bytes:
    """The collecting agency's signature (its key, named by MOTCUA_RECEIPT_SIGNER) when signing is on."""
    if not settings.MOTCUA_SIGN_RESULTS:
        return pdf
    from motcua.signatures.providers import signer_provider_for

    provider = signer_provider_for(settings.MOTCUA_RECEIPT_SIGNER)
    return provider.sign(
        pdf=pdf,
        reason="Biên lai thu phí, lệ phí điện tử",
        location=receipt.order.dossier.receiving_agency.name,
        field_name=SIGNATURE_FIELD,
        appearance=None,
    )


def receipt_issue(*, order_id: int) -> Receipt | None:
    """Issue the receipt of a paid order once (a second call returns the first receipt). The number, the
    file and the ledger event commit together; a failure leaves no number taken."""
    with transaction.atomic():
        # The order row only (``of``): a plain FOR UPDATE over the join would also lock the dossier — after
        # the order, against the lock order of money paths (services) — and the agency and procedure rows.
        order = _orders_for_receipt().select_for_update(of=("self",)).get(pk=order_id)
        existing = Receipt.objects.filter(order=order).first()
        if existing is not None or order.status not in (OrderStatus.PAID, OrderStatus.REFUNDED):
            return existing
        return _issue_locked(order)


def _orders_for_receipt() -> Any:
    return PaymentOrder.objects.select_related("dossier__receiving_agency", "dossier__procedure_version")


def _issue_locked(order: PaymentOrder) -> Receipt:
    """In the caller's transaction, with ``order`` locked and known to have no receipt yet."""
    refusal = receipt_refusal(order.dossier.receiving_agency)
    if refusal:  # before a number is taken: no gap in the register
        logger.error("payments: receipt of order %s: %s", order.txn_ref, refusal)
        raise ReceiptNotIssuableError(refusal)
    now = clock.now()
    series = _series_for(order, clock.local_now().year)
    series.last_number += 1
    series.save(update_fields=["last_number"])
    receipt = Receipt(
        order=order,
        series=series,
        number=series.last_number,
        issued_at=now,
        payer_name=order.payer_name or order.dossier.applicant_name,
        amount=order.amount,
        lines=order.lines or [{"name": "Phí, lệ phí", "amount": order.amount}],
    )
    pdf = _sign(receipt_render(receipt), receipt)
    receipt.sha256 = hashlib.sha256(pdf).hexdigest()
    receipt.pdf.save(f"bien-lai-{series.series}-{receipt.display_number}.pdf", ContentFile(pdf), save=False)
    receipt.save()
    PaymentEvent(
        order=order,
        kind=EventKind.RECEIPT_ISSUED,
        data={"series": series.series, "number": receipt.display_number, "sha256": receipt.sha256},
        at=now,
    ).save(force_insert=True)
    email = order.dossier.applicant_email
    if email:
        transaction.on_commit(lambda: _send(receipt.pk, email))
    transaction.on_commit(lambda: receipt_to_store(receipt.pk))
    return receipt


# Orders one drain run takes at most; a drain that took them all queues the next run.
DRAIN_BATCH = 200


def receipts_issue_pending(*, limit: int = DRAIN_BATCH) -> tuple[int, int]:
    """The receipt drain: issue the receipts of paid orders that have none, oldest first, each in its own
    transaction. Each order is claimed with ``SKIP LOCKED``, so drains running side by side (one per
    worker) share the orders instead of waiting for each other's signature. An order that cannot have a
    receipt yet (its agency has no tax code) is logged and left for a later run. Returns (issued, tried)."""
    issued, passed = 0, set[int]()
    for _ in range(limit):
        order: PaymentOrder | None = None
        try:
            with transaction.atomic():
                order = (
                    _orders_for_receipt()
                    .select_for_update(of=("self",), skip_locked=True)
                    .filter(status=OrderStatus.PAID, receipt__isnull=True)
                    .exclude(pk__in=passed)
                    .order_by("pk")
                    .first()
                )
                if order is None:
                    break
                _issue_locked(order)
            issued += 1
        except ReceiptNotIssuableError:
            pass  # logged with its reason; issued at a later run once the cause is fixed
        except Exception:
            logger.exception("payments: receipt of order %s failed", getattr(order, "txn_ref", "?"))
            if order is None:
                break
        if order is not None:
            passed.add(order.pk)
    return issued, len(passed)


def receipts_soon() -> None:
    """After the commit of a payment: wake the receipt drain (core/wake.py). A wake that fails leaves the
    order to the scheduler's run of the drain; the payment stands."""
    from motcua.core.wake import drain_wake
    from motcua.payments.tasks import receipts_drain_task

    try:
        drain_wake(receipts_drain_task)
    except Exception:
        logger.exception("payments: the receipt drain could not be queued; the scheduler's run will do it")


RECEIPT_KIND = "bien_lai_phi_le_phi"  # identity.reference.KINDS


def receipt_to_store(receipt_id: int) -> None:
    """Keep the signed receipt in the payer's personal data store (Decree 45/2020/NĐ-CP art. 16: what an
    agency issues to a person is kept in their store). After the receipt's commit, so a store that fails
    never takes back a receipt number; added once (``source_ref`` ``receipt:<id>``)."""
    from motcua.identity.models import DocumentSource
    from motcua.identity.store import store_document_add

    receipt = Receipt.objects.select_related("series", "order__dossier__receiving_agency").get(pk=receipt_id)
    dossier = receipt.order.dossier
    if not dossier.applicant_id_number or not receipt.pdf:
        return  # a payer with no identity number has no store
    try:
        with receipt.pdf.open("rb") as handle:
            content = handle.read()
        store_document_add(
            owner_id_number=dossier.applicant_id_number,
            title=(
                f"Biên lai thu phí, lệ phí {receipt.series.series} số {receipt.display_number}"
                f" — hồ sơ {dossier.code}"
            ),
            source=DocumentSource.ISSUED,
            source_ref=f"receipt:{receipt.pk}",
            kind_code=RECEIPT_KIND,
            issuer=dossier.receiving_agency.name,
            issue_date=receipt.issued_at.astimezone(clock.VIETNAM_TZ).date(),
            content=content,
            file_name=Path(receipt.pdf.name or "bien-lai.pdf").name,
            dossier_code=dossier.code or "",
            data={
                "template_symbol": receipt.series.template_symbol,
                "series": receipt.series.series,
                "number": receipt.display_number,
                "amount": receipt.amount,
                "txn_ref": receipt.order.txn_ref,
            },
        )
    except Exception:  # the receipt stands and stays on the dossier page; the store copy is a courtesy
        logger.exception("payments: receipt %s not added to the payer's data store", receipt_id)


def _send(receipt_id: int, email: str) -> None:
    receipt = Receipt.objects.select_related("series", "order__dossier").get(pk=receipt_id)
    message = EmailMessage(
        subject=f"Biên lai thu phí, lệ phí {receipt.series.series} số {receipt.display_number}",
        body=(
            f"Kính gửi {receipt.payer_name},\n\nĐính kèm biên lai điện tử cho khoản phí, lệ phí "
            f"{money(receipt.amount)} đồng của hồ sơ {receipt.order.dossier.code}.\n"
        ),
        to=[email],
    )
    with receipt.pdf.open("rb") as handle:
        message.attach(Path(receipt.pdf.name or "bien-lai.pdf").name, handle.read(), "application/pdf")
    try:
        message.send()
    except Exception:  # the receipt stays on the dossier page; mail is a courtesy copy
        logger.exception("payments: receipt %s not e-mailed", receipt_id)
