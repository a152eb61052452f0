from __future__ import annotations

from django.tasks import task


@task(queue_name="default")
def post_outbox_drain_task() -> dict[str, int]:
    """Send the postal orders that are due (after commit of the action, then by the scheduler)."""
    from motcua.national.post import post_outbox_drain

    return post_outbox_drain()
