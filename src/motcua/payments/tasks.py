from __future__ import annotations

from django.tasks import task


@task(queue_name="default")
def receipt_issue_task(order_id: int) -> int | None:
    from motcua.payments.receipts import receipt_issue

    receipt = receipt_issue(order_id=order_id)
    return receipt.pk if receipt is not None else None


@task(queue_name="default")
def payments_maintain_task() -> dict[str, int]:
    """Expire unpaid orders (asking the platform first) and issue receipts an enqueue missed."""
    from motcua.payments.receipts import receipts_issue_missing
    from motcua.payments.services import orders_expire

    counts = orders_expire()
    counts["receipts"] = receipts_issue_missing()
    return counts
