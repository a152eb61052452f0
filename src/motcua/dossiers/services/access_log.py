"""The access log's own retention: rows older than ``MOTCUA_ACCESS_LOG_RETENTION_DAYS`` are deleted (daily
scheduler job and ``motcua access_log_purge``), whatever became of the dossier they name."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from motcua.core import clock
from motcua.dossiers.models import DossierAccessLog


def access_log_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the rows past the retention period; returns how many."""
    cutoff = (now or clock.now()) - dt.timedelta(days=settings.MOTCUA_ACCESS_LOG_RETENTION_DAYS)
    deleted, _ = DossierAccessLog.objects.filter(at__lt=cutoff).delete()
    return deleted
