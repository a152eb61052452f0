"""The synchronisation with the National Public Service Portal (DVCQG).

The outbox is the timeline itself: every ``DossierEvent`` is written in the transaction of the state
change it records, so an event without a ``SentEvent`` row is a message still owed to the portal. The
drain (services.outbox_drain, run by the worker after commit and by the scheduler) sends the dossier's
current record and one progress entry per owed event, then writes the ``SentEvent`` rows. There is no
cursor to lose: events committed out of order are found all the same (an anti-join, not a high-water
mark). ``SyncState`` keeps the retries and back-off of each dossier."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SyncState(models.Model):
    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="dvcqg_sync")
    attempts = models.PositiveIntegerField(default=0)  # failures since the last success
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    synced_at = models.DateTimeField(_("đồng bộ lần cuối"), null=True, blank=True)
    synced_status_code = models.PositiveSmallIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.synced_status_code} ({self.attempts} failures)"


class SentEvent(models.Model):
    """A timeline event delivered to the portal (as a progress entry with the dossier's record)."""

    event = models.OneToOneField(
        "dossiers.DossierEvent", on_delete=models.CASCADE, primary_key=True, related_name="dvcqg_sent"
    )
    sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"event {self.event_id} sent {self.sent_at}"


class NationalSubmission(models.Model):
    """A dossier a citizen submitted on the national portal, forwarded to us: its national code (unique,
    so a forwarded dossier sent twice is one dossier) and ours."""

    national_code = models.CharField(_("mã hồ sơ trên Cổng quốc gia"), max_length=64, unique=True)
    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="dvcqg_submission"
    )
    received_at = models.DateTimeField()
    message_id = models.CharField(max_length=128, blank=True)
    payload = models.JSONField(default=dict)  # as received, without the file contents

    def __str__(self) -> str:
        return f"{self.national_code} → {self.dossier_id}"
