"""One fact row per dossier (``DossierFact``): built from the dossier itself — its dates, its timeline (the
supplement requests), its components, fees, rating — and, for a dossier that came from the national portal
or an old system, its national record (``NationalRecord``). Rebuilt whole after every change, so a changed
history (a supplement recorded late, a corrected date) gives a right row again."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from motcua.core import clock
from motcua.dossiers import deadlines
from motcua.dossiers.models import Dossier
from motcua.dossiers.workflow import DEFAULT_NATIONAL_CODES, TimelineAction
from motcua.dvcqg.models import SyncState
from motcua.ioc.dvcqg import DossierRecord
from motcua.ioc.models import DossierFact, FactStale
from motcua.ioc.ontime import ClockInputs, Supplement, clock_verdict

logger = logging.getLogger(__name__)

_ENDING_ACTIONS = {
    TimelineAction.WITHDRAW,
    TimelineAction.STOP,
    TimelineAction.REFUSE_AT_INTAKE,
    TimelineAction.APPROVE_REFUSAL,
}
_OPEN_CODES = {1, 2, 4, 5, 6}
_SUSPENDED_CODES = {5, 6, 8}


@dataclass
class FactInputs:
    """What a fact reads of a dossier besides its own columns, loaded for many dossiers at once
    (``fact_inputs_load``: five queries for a batch, not five a dossier)."""

    supplements: tuple[Supplement, ...] = ()
    first_end_event_at: dt.datetime | None = None
    # (received, reused, reused_from_store, digitised, has files) per component.
    components: list[tuple[bool, bool, bool, bool, bool]] = field(default_factory=list)
    fees: list[Decimal] = field(default_factory=list)
    synced: bool = False
    scores: dict[str, Any] | None = None


def _supplements(events: list[tuple[str, dt.datetime]]) -> tuple[Supplement, ...]:
    out: list[Supplement] = []
    requested: dt.datetime | None = None
    for action, at in events:
        if action == TimelineAction.REQUEST_SUPPLEMENT:
            if requested is not None:
                out.append(Supplement(requested))
            requested = at
        elif action == TimelineAction.SUPPLY and requested is not None:
            out.append(Supplement(requested, at))
            requested = None
    if requested is not None:
        out.append(Supplement(requested))
    return tuple(out)


def fact_inputs_load(dossier_ids: list[int]) -> dict[int, FactInputs]:
    from motcua.dossiers.models import DossierComponent, DossierEvent, DossierFee, DossierFile, Rating

    out = {pk: FactInputs() for pk in dossier_ids}
    events: dict[int, list[tuple[str, dt.datetime]]] = {pk: [] for pk in dossier_ids}
    wanted = [TimelineAction.REQUEST_SUPPLEMENT, TimelineAction.SUPPLY, *_ENDING_ACTIONS]
    for dossier_id, action, at in (
        DossierEvent.objects.filter(dossier_id__in=dossier_ids, action__in=wanted)
        .order_by("at", "pk")
        .values_list("dossier_id", "action", "at")
    ):
        events[dossier_id].append((action, at))
        if action in _ENDING_ACTIONS and out[dossier_id].first_end_event_at is None:
            out[dossier_id].first_end_event_at = at
    for pk, items in events.items():
        out[pk].supplements = _supplements(items)
    for dossier_id, *flags in (
        DossierComponent.objects.filter(dossier_id__in=dossier_ids)
        .annotate(has_files=Exists(DossierFile.objects.filter(component=OuterRef("pk"))))
        .order_by("pk")
        .values_list("dossier_id", "received", "reused", "reused_from_store", "digitised", "has_files")
    ):
        out[dossier_id].components.append(tuple(bool(flag) for flag in flags))  # type: ignore[arg-type]
    for dossier_id, amount in DossierFee.objects.filter(dossier_id__in=dossier_ids).values_list(
        "dossier_id", "amount"
    ):
        out[dossier_id].fees.append(amount)
    for dossier_id in (
        SyncState.objects.filter(dossier_id__in=dossier_ids)
        .exclude(synced_at=None)
        .values_list("dossier_id", flat=True)
    ):
        out[dossier_id].synced = True
    for dossier_id, scores in Rating.objects.filter(dossier_id__in=dossier_ids).values_list(
        "dossier_id", "scores"
    ):
        out[dossier_id].scores = scores or {}
    return out


def _components_digitised(dossier: Dossier, inputs: FactInputs) -> bool:
    """domain-vn.md §2.3, Decision 766 indicator 4.2: a dossier is digitised when its components are in
    electronic form — every component it was given (received, uploaded, or taken from data already held),
    and at least one. A component is electronic when it was digitised under the procedure (paper received at
    the counter, scanned and checked by the clerk: ``DossierComponent.digitised``), taken from digitised
    data or the citizen's store, or uploaded by the applicant with an online submission (the file is the
    original). A file attached to a counter dossier without that check is not a digitisation: it used to
    count here (any component with any file), which overstated 4.2."""
    online = dossier.channel == "online"
    given = 0
    for received, reused, from_store, digitised, has_files in inputs.components:
        if not (received or reused or from_store or digitised or has_files):
            continue  # an optional component the applicant did not give
        given += 1
        if not (digitised or reused or from_store or (online and has_files)):
            return False
    return given > 0


def _own_end(dossier: Dossier, code: int, inputs: FactInputs) -> dt.datetime | None:
    if code in _OPEN_CODES:
        return None
    if dossier.processing_finished_at or dossier.returned_at:
        return dossier.processing_finished_at or dossier.returned_at
    # An imported dossier stopped or withdrawn with no date synced: the import is the first we know of it.
    return inputs.first_end_event_at or dossier.updated_at


def _legal_due(dossier: Dossier) -> dt.datetime | None:
    if dossier.received_at is None:
        return None
    try:
        return deadlines.appointment_compute(
            version=dossier.procedure_version,
            agency=dossier.receiving_agency,
            received_at=dossier.received_at,
        )
    except Exception:  # a version without a computable limit: the rule then has nothing to compare
        logger.warning("no legal limit for dossier %s", dossier.code, exc_info=True)
        return None


def fact_values(
    dossier: Dossier, record: DossierRecord | None = None, inputs: FactInputs | None = None
) -> dict[str, Any]:
    """The fact row's values for ``dossier`` (``record`` = its national record, when it has one: the
    importer sets the dossier's status and dates from it; the record adds the flags our model lacks and the
    supplements before the import; what happens here afterwards comes from our timeline). ``inputs``: the
    dossier's timeline, components, fees… when the caller loaded them for a batch."""
    if inputs is None:
        inputs = fact_inputs_load([dossier.pk])[dossier.pk]
    code = DEFAULT_NATIONAL_CODES.get(dossier.status, 0)
    finished = _own_end(dossier, code, inputs)
    supplements = inputs.supplements
    from_store = any(component[2] for component in inputs.components)
    flags = {
        "synced": inputs.synced,
        "paid_online": bool(getattr(dossier, "paid_online", False)),
        "e_result": bool(dossier.result_number) and code in (9, 10),
        "components_digitised": _components_digitised(dossier, inputs),
        "reused": any(component[1] for component in inputs.components),
        "from_store": from_store,
        "population_data": bool(getattr(dossier, "vneid_verified", False)) or from_store,
        "result_is_document": True,
    }
    includes_pauses = True
    if record is not None:
        supplements = record.supplements + supplements
        flags = {
            "synced": True,
            "paid_online": record.paid_online or flags["paid_online"],
            "e_result": record.e_result or flags["e_result"],
            "components_digitised": record.components_digitised or flags["components_digitised"],
            "reused": record.reused or flags["reused"],
            "from_store": record.from_store or from_store,
            "population_data": record.population_data or flags["population_data"],
            "result_is_document": True,
        }
        includes_pauses = False
    appointment = dossier.original_appointment_at or dossier.appointment_at
    verdict = clock_verdict(
        ClockInputs(
            received_at=dossier.received_at,
            appointment_at=appointment,
            finished_at=finished,
            supplements=supplements,
            appointment_includes_pauses=includes_pauses,
            legal_due_at=None if appointment is not None else _legal_due(dossier),
        )
    )
    dissatisfied = any(int(v) == 1 for v in (inputs.scores or {}).values())
    fees = inputs.fees
    return {
        "code": dossier.code or "",
        "agency_id": dossier.competent_agency_id,
        "agency_level": dossier.competent_agency.level,
        "procedure_code": dossier.procedure_version.procedure.national_code
        or dossier.procedure_version.procedure.local_code,
        "channel": dossier.channel,
        "national_status": code,
        "received_at": dossier.received_at,
        "appointment_at": verdict.due_at,
        "finished_at": finished,
        "clock_end_at": verdict.clock_end_at,
        "verdict": verdict.verdict,
        "verdict_reason": verdict.reason[:500],
        "suspended": code in _SUSPENDED_CODES,
        "supplement_requests": len(supplements),
        "fee_bearing": any(amount > 0 for amount in fees),
        "dissatisfied": dissatisfied,
        **flags,
    }


def _record_of(dossier: Dossier) -> DossierRecord | None:
    from motcua.ioc.models import NationalRecord

    national = NationalRecord.objects.filter(dossier=dossier).first()
    return DossierRecord.model_validate(national.record) if national is not None else None


def fact_refresh(
    dossier: Dossier, record: DossierRecord | None = None, *, bump: bool = True
) -> DossierFact | None:
    """Rebuild ``dossier``'s fact row (none for a draft, which the national index never sees). ``bump``
    False: the caller marks the kept months stale itself, once for a batch (the importer)."""
    from motcua.ioc.daily import FIELDS, daily_apply

    with transaction.atomic():
        # The old row, locked: its contribution to the daily counters is taken out exactly once even when
        # two changes of the same dossier are refreshed at the same time.
        before = DossierFact.objects.select_for_update().filter(dossier=dossier).values(*FIELDS).first()
        if dossier.status == "draft" or not dossier.code:
            if before is not None:  # its counters are taken out by ``fact_deleted``
                DossierFact.objects.filter(dossier=dossier).delete()
            return None
        if record is None:
            record = _record_of(dossier)
        values = fact_values(dossier, record)
        fact, _ = DossierFact.objects.update_or_create(dossier=dossier, defaults=values)
        daily_apply(before, {name: getattr(fact, name) for name in FIELDS})
    if bump:
        months_changed(before["received_at"] if before else None, fact.received_at)
    return fact


def facts_refresh_many(items: list[tuple[Dossier, DossierRecord | None]]) -> None:
    """``fact_refresh`` for a batch of (non-draft) dossiers in a handful of statements (the importer): their
    inputs loaded at once, the old rows locked, new rows inserted and changed ones updated in bulk, and the
    daily counters moved by the batch's summed difference. Call inside the writer's transaction; the caller
    marks the kept months stale."""
    from motcua.ioc.daily import FIELDS, daily_add, delta

    if not items:
        return
    ids = [dossier.pk for dossier, _record in items]
    inputs = fact_inputs_load(ids)
    existing = {
        fact.dossier_id: fact
        for fact in DossierFact.objects.select_for_update().filter(dossier_id__in=ids).order_by("pk")
    }
    now = clock.now()
    created: list[DossierFact] = []
    changed: list[DossierFact] = []
    pairs: list[tuple[dict[str, Any] | None, dict[str, Any] | None]] = []
    names: list[str] = []
    for dossier, record in items:
        values = fact_values(dossier, record, inputs[dossier.pk])
        names = list(values)
        fact = existing.get(dossier.pk)
        old = {name: getattr(fact, name) for name in FIELDS} if fact is not None else None
        if fact is None:
            fact = DossierFact(dossier=dossier, **values)
            created.append(fact)
        else:
            for name, value in values.items():
                setattr(fact, name, value)
            fact.updated_at = now
            changed.append(fact)
        pairs.append((old, {name: getattr(fact, name) for name in FIELDS}))
    DossierFact.objects.bulk_create(created, batch_size=500)
    if changed:
        DossierFact.objects.bulk_update(changed, [*names, "updated_at"], batch_size=200)
    daily_add(delta(pairs))


def fact_deleted(sender: type, instance: DossierFact, **kwargs: Any) -> None:
    """A fact row deleted (a dossier back to draft, or deleted with its dossier): its counters go too."""
    from motcua.ioc.daily import daily_apply, fact_contribution_values

    daily_apply(fact_contribution_values(instance), None)


def months_changed(*received: dt.datetime | None) -> None:
    """A fact changed: the kept index of every month from its receipt to now is stale (an open dossier
    counts in each month's on-time figure until it ends)."""
    from motcua.core import clock
    from motcua.ioc.index import month_generation_bump

    starts = [moment for moment in received if moment is not None]
    if starts:
        month_generation_bump(since=min(starts), until=clock.now())


def fact_refresh_by_id(dossier_id: int) -> None:
    dossier = (
        Dossier.objects.select_related("competent_agency", "receiving_agency", "procedure_version__procedure")
        .filter(pk=dossier_id)
        .first()
    )
    if dossier is not None:
        fact_refresh(dossier)


# The upsert of a mark: a second change before the drain bumps the version (``FactStale``).
MARK_CONFLICT = (
    "ON CONFLICT (dossier_id) DO UPDATE SET version = {table}.version + 1, marked_at = EXCLUDED.marked_at"
)
_TABLE = FactStale._meta.db_table
_MARK_SQL = (
    f"INSERT INTO {_TABLE} (dossier_id, version, marked_at) VALUES (%s, 1, %s) "  # noqa: S608
    + MARK_CONFLICT.format(table=_TABLE)
)


def fact_mark_stale(dossier_id: int) -> None:
    """The ``mark`` half of the ``dossiers.changes`` listener: inside the writer's transaction, one upsert
    (the same SQL on PostgreSQL and SQLite). It commits with the change, so no change is ever left out of
    the IOC — not even when the process dies right after its commit."""
    with connection.cursor() as cursor:
        cursor.execute(_MARK_SQL, [dossier_id, clock.now()])


def fact_stale_row() -> FactStale:
    """A mark as a row for a writer's own statement (its ``dossier_id`` set there, inserted with
    ``MARK_CONFLICT``): the one-statement submission and payment notification on PostgreSQL."""
    return FactStale(version=1, marked_at=clock.now())


def facts_soon() -> None:
    """The ``wake`` half (after the commit): make sure the drain runs (core/wake.py). The rebuild reads the
    dossier, its timeline, components, fees, rating and national record — some fifteen queries — so it
    runs in the worker: the request that changed the dossier (a payment notification, a clerk's click)
    does not wait for the IOC. With the immediate backend (tests) the drain runs here and now. If the drain
    cannot be queued the marks wait for the scheduler's run of it."""
    from motcua.core.wake import drain_wake
    from motcua.ioc.tasks import ioc_facts_drain_task

    try:
        drain_wake(ioc_facts_drain_task)
    except Exception:
        logger.warning("ioc: the fact drain was not queued; the scheduler's run will do it", exc_info=True)


# Marks one drain run takes at most; a drain that took them all queues the next run.
DRAIN_BATCH = 500


def facts_refresh_stale(*, limit: int = DRAIN_BATCH) -> int:
    """The drain: rebuild the fact row of every marked dossier (oldest mark first) and remove its mark —
    unless the dossier changed again meanwhile (its version moved): then the mark stays for the next run.
    A dossier whose rebuild fails keeps its mark too. Returns how many marks were taken."""
    marks = list(FactStale.objects.order_by("marked_at").values_list("dossier_id", "version")[:limit])
    for dossier_id, version in marks:
        try:
            fact_refresh_by_id(dossier_id)
        except Exception:
            logger.exception("ioc: the fact of dossier %s could not be rebuilt; it stays marked", dossier_id)
            continue
        FactStale.objects.filter(dossier_id=dossier_id, version=version).delete()
    return len(marks)


def facts_rebuild_all() -> int:
    """Rebuild every fact row (after a change of the rules, or to check the incremental path)."""
    count = 0
    for dossier_id in Dossier.objects.exclude(status="draft").values_list("pk", flat=True).iterator():
        fact_refresh_by_id(dossier_id)
        count += 1
    return count
