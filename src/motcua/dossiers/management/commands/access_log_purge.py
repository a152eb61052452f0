"""``motcua access_log_purge``: delete access-log rows older than MOTCUA_ACCESS_LOG_RETENTION_DAYS."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from motcua.dossiers.services.access_log import access_log_purge


class Command(BaseCommand):
    help = "Delete access-log rows older than MOTCUA_ACCESS_LOG_RETENTION_DAYS (default five years)."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = access_log_purge()
        self.stdout.write(
            f"{deleted} access-log rows older than {settings.MOTCUA_ACCESS_LOG_RETENTION_DAYS} days deleted."
        )
