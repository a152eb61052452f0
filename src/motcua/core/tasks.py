"""Background jobs of the platform itself (the scheduler enqueues them; thin wrappers around services)."""

from __future__ import annotations

from django.tasks import task


@task(queue_name="default")
def uploads_sweep_task() -> int:
    from motcua.dossiers.uploads import upload_orphans_sweep

    return len(upload_orphans_sweep())
