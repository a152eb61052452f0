"""Background jobs of the digitisation app (thin wrappers; OCR runs on the ``ocr`` queue)."""

from __future__ import annotations

from typing import Any

from django.tasks import task


@task(queue_name="ocr")
def job_run_task(job_id: int) -> dict[str, Any]:
    from motcua.digitization.services import job_run

    job = job_run(job_id=job_id)
    return {"job": job_id, "state": job.state if job else None}


@task(queue_name="default")
def jobs_reap_task() -> int:
    from django.conf import settings

    from motcua.digitization.services import jobs_reap

    return jobs_reap(lease_seconds=settings.MOTCUA_DIGITIZATION_LEASE_SECONDS)


@task(queue_name="default")
def search_index_refresh_task() -> int:
    from motcua.digitization.search import search_index_refresh

    return search_index_refresh()
