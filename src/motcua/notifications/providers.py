"""SMS providers behind one small interface, with a demo provider that writes to a log file.

Contract of ``send(to, text, idempotency_key)``:

* it MUST either deliver or raise ``TransportError``; ``permanent=True`` means a retry cannot help (bad
  number), otherwise the task retries later (healthchecks' TransportError);
* it MUST deliver at most once per ``idempotency_key``: a second call with a key it has already accepted
  returns without sending again. We pass the notification's own key, so a worker that crashed after the
  provider accepted the message but before the database recorded it (the retry job then delivers the
  message again) cannot send it twice. Gateways that take a client reference (most Vietnamese SMS
  brandname APIs have one) get the key as that reference.
"""

from __future__ import annotations

import logging
import os
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
    def send(self, *, to: str, text: str, idempotency_key: str) -> None: ...


class DemoSmsProvider(SmsProvider):
    """Writes each SMS as one line to ``var/sms.log`` — for the demo province and for tests.

    Like a real gateway it remembers the keys it has accepted (one empty file per key in
    ``var/sms-keys/``, created exclusively, so two processes cannot both accept the same key) and drops a
    repeated one."""

    def send(self, *, to: str, text: str, idempotency_key: str) -> None:
        digits = "".join(ch for ch in to if ch.isdigit())
        if len(digits) < 9:
            raise TransportError(f"invalid phone number {to!r}", permanent=True)
        if not self._accept(idempotency_key):
            logger.info("demo SMS %s already sent; repeat dropped", idempotency_key)
            return
        log_path = Path(settings.VAR_DIR) / "sms.log"
        with log_path.open("a", encoding="utf-8") as fh:
            fh.write(f"{clock.now().isoformat()}\t{digits}\t{text}\n")
        logger.info("demo SMS to %s: %s", digits, text)

    @staticmethod
    def _accept(idempotency_key: str) -> bool:
        keys = Path(settings.VAR_DIR) / "sms-keys"
        keys.mkdir(parents=True, exist_ok=True)
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in idempotency_key)
        try:
            os.close(os.open(keys / safe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            return False
        return True


def sms_provider() -> SmsProvider:
    cls = import_string(
        getattr(settings, "MOTCUA_SMS_PROVIDER", "motcua.notifications.providers.DemoSmsProvider")
    )
    provider: SmsProvider = cls()
    return provider
