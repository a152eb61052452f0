from __future__ import annotations

from typing import Any

from django.tasks import task


@task(queue_name="default")
def dvcqg_outbox_drain_task() -> dict[str, Any]:
    """Send the timeline events not yet on the national portal (queued after each commit that wrote
    some, and by the scheduler every loop for the ones whose back-off has passed)."""
    from django.conf import settings

    from motcua.dvcqg.services import outbox_drain

    if not settings.MOTCUA_DVCQG_SYNC:  # sync switched off (and in the test suite): nothing is sent
        return {"disabled": True}
    return outbox_drain().as_dict()
