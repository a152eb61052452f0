from __future__ import annotations

from django.tasks import task


@task(queue_name="default")
def ioc_fact_refresh_task(dossier_id: int) -> None:
    """One dossier's fact row (kept for jobs queued before the drain; the drain does the same)."""
    from motcua.ioc.facts import fact_refresh_by_id

    fact_refresh_by_id(dossier_id)


@task(queue_name="default")
def ioc_facts_drain_task() -> int:
    """Rebuild the fact rows of the dossiers marked stale (woken after their commits, core/wake.py)."""
    from motcua.core.wake import drain_wake
    from motcua.ioc.facts import DRAIN_BATCH, facts_refresh_stale

    taken = facts_refresh_stale()
    if taken >= DRAIN_BATCH:  # more may be waiting: the next run follows
        drain_wake(ioc_facts_drain_task)
    return taken
