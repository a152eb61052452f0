"""Digitisation jobs: paper pages (scans, photos, PDFs) in, a PDF/A with a Vietnamese text layer out.

A job keeps its sources (the originals, in the order the clerk put them, each with its SHA-256) beside the
output (with its own SHA-256), the text of every page, the fields found for the clerk to confirm, and its
progress page by page. The pipeline (``pipeline.py``) runs in the background worker (``tasks.py``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang xử lý")
    DONE = "done", _("Hoàn thành")
    FAILED = "failed", _("Không thành công")


class JobPurpose(models.TextChoices):
    # A paper component received at the counter.
    COMPONENT = "component", _("Thành phần hồ sơ giấy")
    # A paper result issued before the system existed, brought by the citizen: certified electronic copy.
    CERTIFIED_COPY = "certified_copy", _("Bản sao điện tử từ bản chính")
    # Archives (``motcua digitize``) and anything else without a dossier.
    ARCHIVE = "archive", _("Lưu trữ")


class DigitizationJob(models.Model):
    purpose = models.CharField(max_length=16, choices=JobPurpose.choices, default=JobPurpose.COMPONENT)
    component = models.ForeignKey(
        "dossiers.DossierComponent",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="digitization_jobs",
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.CASCADE, related_name="digitization_jobs"
    )
    title = models.CharField(_("tên giấy tờ"), max_length=500, blank=True)
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED, db_index=True)
    pages_total = models.PositiveIntegerField(default=0)
    pages_done = models.PositiveIntegerField(default=0)
    # Why the job failed, Vietnamese then English (people read it at the counter and in the bulk command).
    error = models.TextField(blank=True)
    error_en = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    output = models.FileField(upload_to="digitization/%Y/%m/", blank=True)
    output_sha256 = models.CharField(max_length=64, blank=True)
    output_size = models.PositiveIntegerField(default=0)
    # [{"page": 1, "text": "...", "words": n, "confidence": 91.2, "warning": "..."}]
    pages = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)
    # [{"kind": "id_number", "value": "...", "page": 1, "confidence": 93.0}], confirmed by the clerk.
    fields = models.JSONField(default=list, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A paper result brought by the citizen, certified by the clerk as an electronic copy from the
    # original: the PDF/A signed with the clerk's key (signatures app), beside the unsigned output.
    certified_output = models.FileField(upload_to="digitization/certified/%Y/%m/", blank=True)
    certified_sha256 = models.CharField(max_length=64, blank=True)
    certified_at = models.DateTimeField(null=True, blank=True)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Written with every page: a running job whose heartbeat is older than the lease lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["state", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"job {self.pk} ({self.state})"

    @property
    def progress_percent(self) -> int:
        if not self.pages_total:
            return 100 if self.state == JobState.DONE else 0
        return min(100, round(100 * self.pages_done / self.pages_total))


class DigitizationSource(models.Model):
    """One file the clerk scanned or uploaded: kept as it came, in the order of ``position``."""

    job = models.ForeignKey(DigitizationJob, on_delete=models.CASCADE, related_name="sources")
    position = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="digitization/originals/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.original_name


class SearchEntry(models.Model):
    """One searchable text for staff: a dossier's own fields (kind "dossier") or the OCR text of one of
    its digitised documents (kind "document"). ``folded`` is ``body`` without accents, lower-case, one
    character for one character (``search.fold_aligned``), so a match in it is highlighted in ``body``.
    The full-text index over ``folded`` is FTS5 on SQLite and a GIN ``tsvector`` on PostgreSQL
    (migrations 0003 and 0005).

    ``scope_agencies`` lists, space-separated, every agency that makes the dossier visible to staff
    (receiving, helping and competent agency, and the agency of each of its tasks — the terms of
    ``dossiers.selectors.dossiers_for_officer``), so a search filters on the row itself instead of
    joining every match to the dossiers. Database triggers (migration 0005) keep it in step with the
    dossier and its tasks, whoever writes them (bulk creates included); nothing in Python sets it."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="+")
    job = models.OneToOneField(
        DigitizationJob, null=True, blank=True, on_delete=models.CASCADE, related_name="search_entry"
    )
    kind = models.CharField(max_length=16)
    title = models.CharField(max_length=500, blank=True)
    body = models.TextField()
    folded = models.TextField()
    indexed_at = models.DateTimeField()
    scope_agencies = models.TextField(blank=True, default="", editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"], condition=models.Q(kind="dossier"), name="search_entry_one_per_dossier"
            )
        ]
        # The refresh that runs before every search starts from the newest indexed dossier version: an
        # index lookup instead of reading every dossier row's timestamp.
        indexes = [models.Index(fields=["kind", "indexed_at"], name="search_entry_kind_indexed")]

    def __str__(self) -> str:
        return f"{self.kind} {self.dossier_id}"
