"""The daily counters (``DailyCount``) behind the dashboard and the index at national scale.

Each counter is written once below, as a database filter (for the rebuild, one grouped scan of the facts)
and as a test on one fact's values (for the incremental path), and the tests hold the two to the same
answers. A fact contributes 1 to each counter it satisfies, on the row of its receipt day (``received``
counters) or of its end day (``finished`` counters), in Vietnam time.

Incremental and race-safe: ``daily_apply(old, new)`` runs in the transaction that changes the fact, with
the fact row locked (``SELECT … FOR UPDATE`` in ``facts.fact_refresh``), and adds the difference with one
``INSERT … ON CONFLICT … DO UPDATE SET n = n + excluded.n`` per touched row — two writers touching the same
day add up instead of overwriting each other (PostgreSQL and SQLite ≥ 3.24 both have this upsert)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from motcua.ioc.models import DailyCount, DossierFact
from motcua.ioc.ontime import VN

OK = ("early", "on_time")
Values = Mapping[str, Any]
Key = tuple[dt.date, int, str, str]

# The fact fields a contribution reads.
FIELDS = (
    "agency_id",
    "channel",
    "agency_level",
    "received_at",
    "finished_at",
    "verdict",
    "synced",
    "fee_bearing",
    "paid_online",
    "result_is_document",
    "e_result",
    "components_digitised",
    "reused",
    "from_store",
    "population_data",
    "dissatisfied",
)


@dataclass(frozen=True)
class Counter:
    name: str
    day_of: str  # "received_at" or "finished_at"
    q: Q
    test: Callable[[Values], bool]


def _counted(v: Values) -> bool:
    return v["verdict"] != "not_counted" and v["received_at"] is not None


_COUNTED = ~Q(verdict="not_counted") & Q(received_at__isnull=False)

COUNTERS: tuple[Counter, ...] = (
    Counter("received", "received_at", Q(), lambda v: True),
    Counter("synced", "received_at", Q(synced=True), lambda v: bool(v["synced"])),
    Counter("fee_bearing", "received_at", Q(fee_bearing=True), lambda v: bool(v["fee_bearing"])),
    Counter(
        "fee_paid_online",
        "received_at",
        Q(fee_bearing=True, paid_online=True),
        lambda v: bool(v["fee_bearing"] and v["paid_online"]),
    ),
    Counter(
        "result_document", "received_at", Q(result_is_document=True), lambda v: bool(v["result_is_document"])
    ),
    Counter(
        "result_document_e",
        "received_at",
        Q(result_is_document=True, e_result=True),
        lambda v: bool(v["result_is_document"] and v["e_result"]),
    ),
    Counter(
        "digitised",
        "received_at",
        Q(components_digitised=True, e_result=True),
        lambda v: bool(v["components_digitised"] and v["e_result"]),
    ),
    Counter(
        "online_result",
        "received_at",
        Q(channel="online") & (Q(e_result=True) | Q(result_is_document=False)),
        lambda v: v["channel"] == "online" and bool(v["e_result"] or not v["result_is_document"]),
    ),
    Counter("reused", "received_at", Q(reused=True), lambda v: bool(v["reused"])),
    Counter("from_store", "received_at", Q(from_store=True), lambda v: bool(v["from_store"])),
    Counter("population_data", "received_at", Q(population_data=True), lambda v: bool(v["population_data"])),
    Counter("finished", "finished_at", Q(), lambda v: True),
    Counter("finished_early", "finished_at", Q(verdict="early"), lambda v: v["verdict"] == "early"),
    Counter("finished_on_time", "finished_at", Q(verdict="on_time"), lambda v: v["verdict"] == "on_time"),
    Counter("finished_late", "finished_at", Q(verdict="late"), lambda v: v["verdict"] == "late"),
    Counter("processed", "finished_at", _COUNTED, _counted),
    Counter(
        "processed_ok",
        "finished_at",
        _COUNTED & Q(verdict__in=OK),
        lambda v: _counted(v) and v["verdict"] in OK,
    ),
    Counter(
        "processed_ok_satisfied",
        "finished_at",
        _COUNTED & Q(verdict__in=OK, dissatisfied=False),
        lambda v: _counted(v) and v["verdict"] in OK and not v["dissatisfied"],
    ),
)
NAMES = tuple(counter.name for counter in COUNTERS)


def day_of(moment: dt.datetime) -> dt.date:
    return moment.astimezone(VN).date()


def contributions(values: Values | None) -> dict[Key, dict[str, int]]:
    """What one fact adds to the counters: {(day, agency, channel, level): {counter: 1}}."""
    out: dict[Key, dict[str, int]] = {}
    if values is None:
        return out
    for counter in COUNTERS:
        moment = values[counter.day_of]
        if moment is None or not counter.test(values):
            continue
        key = (day_of(moment), values["agency_id"], values["channel"], values["agency_level"])
        out.setdefault(key, {})[counter.name] = 1
    return out


def delta(pairs: Iterable[tuple[Values | None, Values | None]]) -> dict[Key, dict[str, int]]:
    """The counters' change when each (old, new) fact replaces the other (None: no fact)."""
    out: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for old, new in pairs:
        for key, counts in contributions(old).items():
            for name, n in counts.items():
                out[key][name] -= n
        for key, counts in contributions(new).items():
            for name, n in counts.items():
                out[key][name] += n
    return {
        key: {name: n for name, n in counts.items() if n}
        for key, counts in out.items()
        if any(n for n in counts.values())
    }


def daily_apply(old: Values | None, new: Values | None) -> None:
    """Move the counters from ``old``'s contribution to ``new``'s (call inside the fact's transaction)."""
    daily_add(delta([(old, new)]))


def daily_add(changes: Mapping[Key, Mapping[str, int]]) -> None:
    if not changes:
        return
    table = connection.ops.quote_name(DailyCount._meta.db_table)
    quote = connection.ops.quote_name
    columns = ["day", "agency_id", "channel", "agency_level", *NAMES]
    updates = ", ".join(f"{quote(n)} = {table}.{quote(n)} + excluded.{quote(n)}" for n in NAMES)
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608 — names are ours
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT (day, agency_id, channel, agency_level) DO UPDATE SET {updates}"
    )
    # Sorted: two transactions touching the same rows lock them in the same order (no deadlock).
    rows = [
        (
            connection.ops.adapt_datefield_value(key[0]),
            key[1],
            key[2],
            key[3],
            *(counts.get(name, 0) for name in NAMES),
        )
        for key, counts in sorted(changes.items())
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def fact_contribution_values(fact: DossierFact | None) -> dict[str, Any] | None:
    if fact is None:
        return None
    return {name: getattr(fact, name) for name in FIELDS}


def daily_computed() -> dict[Key, dict[str, int]]:
    """Every counter computed from the facts (grouped scans): what the table must hold."""
    out: dict[Key, dict[str, int]] = defaultdict(dict)
    for day_field in ("received_at", "finished_at"):
        counters = [c for c in COUNTERS if c.day_of == day_field]
        rows = (
            DossierFact.objects.filter(**{f"{day_field}__isnull": False})
            .annotate(day=TruncDate(day_field, tzinfo=VN))
            .order_by()
            .values("day", "agency_id", "channel", "agency_level")
            .annotate(**{f"n_{c.name}": Count("pk", filter=c.q) for c in counters})
        )
        for row in rows:
            values: dict[str, Any] = dict(row)
            key = (values["day"], values["agency_id"], values["channel"], values["agency_level"])
            for c in counters:
                if values[f"n_{c.name}"]:
                    out[key][c.name] = values[f"n_{c.name}"]
    return dict(out)


def daily_rebuild() -> int:
    """Recompute the whole table from the facts (after a bulk load that bypassed ``fact_refresh``, or to
    repair it); returns the number of rows. One transaction: readers see the old table or the new one."""
    computed = daily_computed()
    with transaction.atomic():
        DailyCount.objects.all().delete()
        DailyCount.objects.bulk_create(
            (
                DailyCount(
                    day=key[0],
                    agency_id=key[1],
                    channel=key[2],
                    agency_level=key[3],
                    **{name: counts.get(name, 0) for name in NAMES},
                )
                for key, counts in computed.items()
            ),
            batch_size=2000,
        )
    return len(computed)


def daily_table() -> dict[Key, dict[str, int]]:
    """The table as it stands, zeros left out (to compare with ``daily_computed``)."""
    out: dict[Key, dict[str, int]] = {}
    for row in DailyCount.objects.values("day", "agency_id", "channel", "agency_level", *NAMES):
        counts = {name: row[name] for name in NAMES if row[name]}
        if counts:
            out[(row["day"], row["agency_id"], row["channel"], row["agency_level"])] = counts
    return out
