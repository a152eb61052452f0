from __future__ import annotations

from django.tasks import task


@task(queue_name="default")
def ioc_fact_refresh_task(dossier_id: int) -> None:
    from motcua.ioc.facts import fact_refresh_by_id

    fact_refresh_by_id(dossier_id)
