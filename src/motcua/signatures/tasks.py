"""Background jobs of the signatures app (thin wrappers; the scheduler enqueues them periodically)."""

from __future__ import annotations

from typing import Any

from django.tasks import task


@task(queue_name="default")
def revocation_lists_refresh_task() -> dict[str, Any]:
    from motcua.signatures.revocation import revocation_lists_refresh

    return revocation_lists_refresh()


@task(queue_name="default")
def documents_archive_task() -> dict[str, Any]:
    from motcua.signatures.archive import documents_archive_due

    return documents_archive_due()
