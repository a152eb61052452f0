"""One fact row per dossier (``DossierFact``): built from the dossier itself — its dates, its timeline (the
supplement requests), its components, fees, rating — and, for a dossier that came from the national portal
or an old system, its national record (``NationalRecord``). Rebuilt whole after every change, so a changed
history (a supplement recorded late, a corrected date) gives a right row again."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from motcua.dossiers import deadlines
from motcua.dossiers.models import Dossier
from motcua.dossiers.workflow import DEFAULT_NATIONAL_CODES, TimelineAction
from motcua.dvcqg.models import SyncState
from motcua.ioc.dvcqg import DossierRecord
from motcua.ioc.models import DossierFact
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


def _supplements_from_timeline(dossier: Dossier) -> tuple[Supplement, ...]:
    out: list[Supplement] = []
    requested: dt.datetime | None = None
    for action, at in dossier.events.filter(
        action__in=[TimelineAction.REQUEST_SUPPLEMENT, TimelineAction.SUPPLY]
    ).values_list("action", "at"):
        if action == TimelineAction.REQUEST_SUPPLEMENT:
            if requested is not None:
                out.append(Supplement(requested))
            requested = at
        elif requested is not None:
            out.append(Supplement(requested, at))
            requested = None
    if requested is not None:
        out.append(Supplement(requested))
    return tuple(out)


def _own_end(dossier: Dossier, code: int) -> dt.datetime | None:
    if code in _OPEN_CODES:
        return None
    if dossier.processing_finished_at or dossier.returned_at:
        return dossier.processing_finished_at or dossier.returned_at
    event = dossier.events.filter(action__in=list(_ENDING_ACTIONS)).order_by("at", "pk").first()
    # An imported dossier stopped or withdrawn with no date synced: the import is the first we know of it.
    return event.at if event is not None else dossier.updated_at


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


def fact_values(dossier: Dossier, record: DossierRecord | None = None) -> dict[str, Any]:
    """The fact row's values for ``dossier`` (``record`` = its national record, when it has one: the
    importer sets the dossier's status and dates from it; the record adds the flags our model lacks and the
    supplements before the import; what happens here afterwards comes from our timeline)."""
    code = DEFAULT_NATIONAL_CODES.get(dossier.status, 0)
    finished = _own_end(dossier, code)
    supplements = _supplements_from_timeline(dossier)
    components = dossier.components.all()
    from_store = _has("dossiers.DossierComponent", "reused_from_store") and (
        components.filter(**{"reused_from_store": True}).exists()
    )
    flags = {
        "synced": SyncState.objects.filter(dossier=dossier).exclude(synced_at=None).exists(),
        "paid_online": bool(getattr(dossier, "paid_online", False)),
        "e_result": bool(dossier.result_number) and code in (9, 10),
        "components_digitised": components.filter(files__isnull=False).exists(),
        "reused": components.filter(reused=True).exists(),
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
    rating = getattr(dossier, "rating", None) if hasattr(dossier, "rating") else None
    dissatisfied = bool(rating and any(int(v) == 1 for v in (rating.scores or {}).values()))
    fees = list(dossier.fees.values_list("amount", flat=True))
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


def _has(model: str, field: str) -> bool:
    from django.apps import apps

    try:
        apps.get_model(model)._meta.get_field(field)
    except Exception:
        return False
    return True


def _record_of(dossier: Dossier) -> DossierRecord | None:
    from motcua.ioc.models import NationalRecord

    national = NationalRecord.objects.filter(dossier=dossier).first()
    return DossierRecord.model_validate(national.record) if national is not None else None


def fact_refresh(
    dossier: Dossier, record: DossierRecord | None = None, *, bump: bool = True
) -> DossierFact | None:
    """Rebuild ``dossier``'s fact row (none for a draft, which the national index never sees). ``bump``
    False: the caller marks the kept months stale itself, once for a batch (the importer)."""
    if dossier.status == "draft" or not dossier.code:
        DossierFact.objects.filter(dossier=dossier).delete()
        return None
    if record is None:
        record = _record_of(dossier)
    before = DossierFact.objects.filter(dossier=dossier).values_list("received_at", flat=True).first()
    fact, _ = DossierFact.objects.update_or_create(dossier=dossier, defaults=fact_values(dossier, record))
    if bump:
        months_changed(before, fact.received_at)
    return fact


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


def fact_refresh_soon(dossier_id: int) -> None:
    """The listener of ``dossiers.changes`` (called after the commit, once per dossier per transaction).
    The rebuild reads the dossier, its timeline, components, fees, rating and national record — some fifteen
    queries — so it runs in the worker: the request that changed the dossier (a payment notification, a
    clerk's click) does not wait for the IOC. Its fact row follows within the worker's polling interval;
    with the immediate backend (tests) the task runs here and now. If the task cannot be queued the
    row is rebuilt in place, never left stale."""
    from motcua.ioc.tasks import ioc_fact_refresh_task

    try:
        ioc_fact_refresh_task.enqueue(dossier_id)
    except Exception:
        logger.warning("ioc: fact refresh of dossier %s not queued; rebuilt now", dossier_id, exc_info=True)
        fact_refresh_by_id(dossier_id)


def facts_rebuild_all() -> int:
    """Rebuild every fact row (after a change of the rules, or to check the incremental path)."""
    count = 0
    for dossier_id in Dossier.objects.exclude(status="draft").values_list("pk", flat=True).iterator():
        fact_refresh_by_id(dossier_id)
        count += 1
    return count
