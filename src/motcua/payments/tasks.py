from __future__ import annotations

from django.tasks import task


@task(queue_name="default")
def receipt_issue_task(order_id: int) -> int | None:
    """One order's receipt (kept for jobs queued before the drain; the drain does the same)."""
    from motcua.payments.receipts import receipt_issue

    receipt = receipt_issue(order_id=order_id)
    return receipt.pk if receipt is not None else None


@task(queue_name="default")
def receipts_drain_task() -> dict[str, int]:
    """Issue the receipts of paid orders that have none (woken after payments, core/wake.py)."""
    from motcua.core.wake import drain_wake
    from motcua.payments.receipts import DRAIN_BATCH, receipts_issue_pending

    issued, tried = receipts_issue_pending()
    if tried >= DRAIN_BATCH and issued:  # more may be waiting: the next run follows
        drain_wake(receipts_drain_task)
    return {"issued": issued, "tried": tried}


@task(queue_name="default")
def payments_maintain_task() -> dict[str, int]:
    """Expire unpaid orders (asking the platform first) and issue receipts a wake missed."""
    from motcua.payments.receipts import receipts_issue_pending
    from motcua.payments.services import orders_expire

    counts = orders_expire()
    counts["receipts"] = receipts_issue_pending()[0]
    return counts
