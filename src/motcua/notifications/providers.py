"""SMS providers behind one small interface, with a demo provider that writes to a log file.

Contract: ``send(to, text)`` MUST either deliver or raise ``TransportError``; ``permanent=True`` means a
retry cannot help (bad number), otherwise the task retries later (healthchecks' TransportError)."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

from motcua.core import clock

logger = logging.getLogger(__name__)


class TransportError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class SmsProvider(ABC):
    @abstractmethod
    def send(self, *, to: str, text: str) -> None: ...


class DemoSmsProvider(SmsProvider):
    """Writes each SMS as one line to ``var/sms.log`` — for the demo province and for tests."""

    def send(self, *, to: str, text: str) -> None:
        digits = "".join(ch for ch in to if ch.isdigit())
        if len(digits) < 9:
            raise TransportError(f"invalid phone number {to!r}", permanent=True)
        log_path = Path(settings.VAR_DIR) / "sms.log"
        with log_path.open("a", encoding="utf-8") as fh:
            fh.write(f"{clock.now().isoformat()}\t{digits}\t{text}\n")
        logger.info("demo SMS to %s: %s", digits, text)


def sms_provider() -> SmsProvider:
    cls = import_string(
        getattr(settings, "MOTCUA_SMS_PROVIDER", "motcua.notifications.providers.DemoSmsProvider")
    )
    provider: SmsProvider = cls()
    return provider
