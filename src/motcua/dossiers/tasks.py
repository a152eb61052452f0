from __future__ import annotations

from django.tasks import task


@task(queue_name="default")
def deadlines_scan_task() -> dict[str, int]:
    from motcua.dossiers.lateness import deadlines_scan

    return deadlines_scan()


@task(queue_name="default")
def notifications_retry_task() -> int:
    from motcua.notifications.services import notifications_retry_pending

    return notifications_retry_pending()


@task(queue_name="default")
def access_log_purge_task() -> int:
    from motcua.dossiers.services.access_log import access_log_purge

    return access_log_purge()


@task(queue_name="default")
def uploads_sweep_task() -> int:
    """Delete upload files older than a day that no dossier row references (a crash between writing the
    file and committing its row leaves one; review reliability F8)."""
    from motcua.dossiers.uploads import upload_orphans_sweep

    return len(upload_orphans_sweep())
