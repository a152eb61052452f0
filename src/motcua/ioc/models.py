"""The operations centre's data: one fact row per dossier (the inputs of the national index, kept up to date
whenever the dossier changes), the national portal's record of an imported dossier, and the index's
indicators as data (points, thresholds, groups, effective dates and legal basis)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Verdict(models.TextChoices):
    """The on-time rule of the national portal (domain-vn.md §1.7) for a dossier whose clock has ended."""

    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")
    OPEN = "open", _("Đang xử lý")  # no end yet: in time or late depends on when one looks
    NOT_COUNTED = "not_counted", _("Không tính")  # no receipt date


class DossierFact(models.Model):
    """What the index and the dashboard need of one dossier, denormalised so that counts over a million
    dossiers are one indexed scan of narrow rows. Rebuilt from the dossier (``facts.fact_refresh``) after
    each of its timeline events and by the importer; never edited by hand."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="ioc_fact")
    code = models.CharField(max_length=40, db_index=True)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    agency_level = models.CharField(max_length=16)
    procedure_code = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=16)
    national_status = models.PositiveSmallIntegerField()
    received_at = models.DateTimeField(null=True, blank=True)
    appointment_at = models.DateTimeField(null=True, blank=True)
    # The real end of processing (priority 9 > 10 > stop/refusal/withdrawal), None while in progress.
    finished_at = models.DateTimeField(null=True, blank=True)
    # The end the on-time rule compares (a pending supplement request ends the clock), after subtracting
    # the supplement time; None while in progress.
    clock_end_at = models.DateTimeField(null=True, blank=True)
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    verdict_reason = models.CharField(max_length=500, blank=True)
    suspended = models.BooleanField(default=False)  # statuses 5, 6, 8 still open
    supplement_requests = models.PositiveSmallIntegerField(default=0)
    synced = models.BooleanField(default=False)
    fee_bearing = models.BooleanField(default=False)  # the dossier has fee lines, not all zero
    paid_online = models.BooleanField(default=False)
    result_is_document = models.BooleanField(default=True)
    e_result = models.BooleanField(default=False)
    components_digitised = models.BooleanField(default=False)
    reused = models.BooleanField(default=False)
    from_store = models.BooleanField(default=False)
    population_data = models.BooleanField(default=False)
    dissatisfied = models.BooleanField(default=False)  # a "not satisfied" rating or a petition
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["received_at", "agency"], name="ioc_fact_received"),
            models.Index(fields=["finished_at", "agency"], name="ioc_fact_finished"),
            models.Index(
                fields=["appointment_at", "agency"],
                name="ioc_fact_open_due",
                condition=Q(finished_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.verdict}"


class FactStale(models.Model):
    """A dossier whose fact row must be rebuilt: written in the transaction that changed the dossier
    (``facts.fact_mark_stale``), removed by the drain that rebuilt the row (``facts.facts_refresh_stale``).
    ``version`` grows with every change, so a change made while the drain was rebuilding keeps its mark.
    No foreign key: a mark costs one index entry and no lock on the dossier row, and a mark of a dossier
    deleted since (a draft) is simply dropped."""

    dossier_id = models.BigIntegerField(primary_key=True)
    version = models.PositiveIntegerField(default=1)
    marked_at = models.DateTimeField()

    class Meta:
        verbose_name = _("Hồ sơ chờ cập nhật số liệu")
        verbose_name_plural = _("Hồ sơ chờ cập nhật số liệu")

    def __str__(self) -> str:
        return f"{self.dossier_id} v{self.version}"


class DailyCount(models.Model):
    """Counters of the fact rows by day (Vietnam time) × agency × channel × agency level: the dashboard and
    the index sum these instead of reading a million fact rows. A fact adds to the row of its receipt day
    (the ``received``… counters: receipts and the §2.3 flags) and to the row of its end day (the
    ``finished``… counters: the outcome). Kept in step with the facts in the same transaction as each fact's
    change (``ioc.daily.daily_apply``: the old row's contribution subtracted, the new one added, as one
    upsert per touched day), and rebuilt whole after a bulk load (``motcua index rebuild-daily``). What each
    counter counts is written once, in ``ioc.daily.COUNTERS``."""

    day = models.DateField()
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=16)
    agency_level = models.CharField(max_length=16)
    # By receipt day.
    received = models.IntegerField(default=0)
    synced = models.IntegerField(default=0)
    fee_bearing = models.IntegerField(default=0)
    fee_paid_online = models.IntegerField(default=0)
    result_document = models.IntegerField(default=0)
    result_document_e = models.IntegerField(default=0)
    digitised = models.IntegerField(default=0)
    online_result = models.IntegerField(default=0)
    reused = models.IntegerField(default=0)
    from_store = models.IntegerField(default=0)
    population_data = models.IntegerField(default=0)
    # By end day.
    finished = models.IntegerField(default=0)
    finished_early = models.IntegerField(default=0)
    finished_on_time = models.IntegerField(default=0)
    finished_late = models.IntegerField(default=0)
    processed = models.IntegerField(default=0)
    processed_ok = models.IntegerField(default=0)
    processed_ok_satisfied = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "agency", "channel", "agency_level"], name="ioc_daily_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id} {self.channel}"


class NationalRecord(models.Model):
    """A dossier as the national portal (DVCQG, ``DongBoHoSoMC``) describes it, kept for dossiers that came
    in from it or from an old system: the flags our own model does not hold (paid online, VNeID, taken
    from the citizen's store, digitised components, the e-result link) are read from here."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="national_record"
    )
    source = models.CharField(max_length=32, default="dvcqg")
    record = models.JSONField()
    fingerprint = models.CharField(max_length=64)
    imported_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.source}:{self.dossier_id}"


class IndicatorRule(models.Model):
    """One indicator of the national service-quality index (Decision 766/QĐ-TTg as presented on DVCQG) in
    force for a period: its group, maximum points, full-marks threshold and what it measures (``measure``
    names a rate the engine knows, ``ioc.index.MEASURES``). A new formula published by the national
    portal is a new row with its own ``valid_from``."""

    code = models.CharField(max_length=8)
    name = models.CharField(max_length=300)
    group = models.CharField(max_length=8)  # CKMB, TDGQ, CLGQ, TTTT, MDSH, MDHL
    group_name = models.CharField(max_length=200)
    measure = models.CharField(max_length=32)
    max_points = models.DecimalField(max_digits=5, decimal_places=2)
    threshold = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    formula = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    legal_basis = models.CharField(max_length=500)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["code", "valid_from"], name="ioc_indicator_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
