"""The operations centre at national scale (issue 18): N dossiers' fact rows (default 1,000,000; set
``MOTCUA_BENCH_IOC_DOSSIERS``) over 100 agencies and the twelve months of 2025, then the dashboard, the index
for the province and one month, the open-data export of a month, and the import rate of the national
portal's records.

The rows go in through the facts path — each fact's on-time verdict from ``ioc.ontime.clock_verdict``, the
rule the per-dossier rebuild uses — in batches (``bulk_create``), not through the web: a million imports at
the measured import rate would take longer than this bench is worth. The import rate is measured apart, on
2,000 records through ``dossiers_import`` (the whole path: parse, dossier, components, fees, event, fact;
``MOTCUA_BENCH_IOC_IMPORTS``). The daily counters are rebuilt once after the load (the facts went in by COPY,
around ``fact_refresh``), then the tables are vacuumed as autovacuum would. ``MOTCUA_BENCH_IOC_EXPLAIN=1``
prints EXPLAIN ANALYZE of the slowest statements of the index and the dashboard."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import time
from decimal import Decimal

from bench.stats import summary, timed

VN = dt.timezone(dt.timedelta(hours=7))
BATCH = 5_000


def _agencies() -> list[object]:
    from motcua.agencies.models import Agency, AgencyLevel

    province = Agency.objects.create(
        code="000.00.00.H98",
        name="UBND tỉnh Bench",
        abbreviation="UBND",
        level=AgencyLevel.PROVINCE,
        valid_from=dt.date(2025, 1, 1),
    )
    out = []
    for i in range(1, 101):
        level = AgencyLevel.DEPARTMENT if i <= 20 else AgencyLevel.COMMUNE
        out.append(
            Agency.objects.create(
                code=f"000.00.{i:02d}.H98" if i < 100 else "000.01.00.H98",
                name=f"Đơn vị {i}",
                abbreviation=f"DV{i}",
                level=level,
                parent=province,
                valid_from=dt.date(2025, 1, 1),
            )
        )
    return [province, *out]


def _version(agency: object) -> object:
    from motcua.catalog.models import Field, Procedure, ProcedureVersion

    procedure = Procedure.objects.create(national_code="1.009999", local_code="1.009999.000.00.00.H98")
    return ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        status="published",
        effective_from=dt.date(2024, 1, 1),
        name="Thủ tục bench",
        field=Field.objects.create(code="BENCH", name="Bench"),
        level="province",
        competent_agency=agency,
        time_limit_value=Decimal(5),
        time_limit_unit="working_days",
        result_type="licence",
        result_name="Giấy phép",
    )


def _writer(model: type, columns: list[str]) -> object:
    """Rows into ``model``'s table: COPY on PostgreSQL (Django's bulk_create costs ~3 ms a row of CPU on
    this box), batched INSERTs elsewhere."""
    from django.db import connection

    table = model._meta.db_table  # type: ignore[attr-defined]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)

    def write(rows: list[tuple[object, ...]]) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)

    return write


def _template_row(model: type, instance: object, skip: set[str]) -> dict[str, object]:
    """Every column of ``model`` with ``instance``'s value prepared for the database, so that columns added
    later by other apps keep their defaults here too."""
    from django.db import connection

    out: dict[str, object] = {}
    for field in model._meta.concrete_fields:  # type: ignore[attr-defined]
        if field.primary_key or field.column in skip:
            continue
        value = field.pre_save(instance, add=True)
        prepared = field.get_db_prep_save(value, connection)
        if hasattr(prepared, "obj") and type(prepared).__name__ == "Jsonb":
            prepared = json.dumps(prepared.obj)
        out[field.column] = prepared
    return out


def _generate(n: int, agencies: list[object], version: object, now: dt.datetime) -> float:
    from django.db import connection

    from motcua.dossiers.models import Dossier
    from motcua.ioc.models import DossierFact
    from motcua.ioc.ontime import ClockInputs, Supplement, clock_verdict

    varying = {
        "code",
        "status",
        "channel",
        "receiving_agency_id",
        "competent_agency_id",
        "received_at",
        "appointment_at",
        "processing_finished_at",
    }
    template = _template_row(
        Dossier,
        Dossier(
            procedure_version=version,
            applicant_name="—",
            receiving_agency=agencies[1],
            competent_agency=agencies[1],
            channel="online",
        ),
        varying,
    )
    dossier_columns = ["id", *template, *sorted(varying)]
    fact_fields = [f.column for f in DossierFact._meta.concrete_fields if not f.primary_key]
    write_dossiers = _writer(Dossier, dossier_columns)
    write_facts = _writer(DossierFact, fact_fields)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Dossier._meta.db_table}")
        next_id = cursor.fetchone()[0] + 1
    rng = random.Random(766)
    year_start = dt.datetime(2025, 1, 1, tzinfo=VN)
    span = int((now - year_start).total_seconds())
    stamp = dt.datetime.now(tz=dt.UTC)
    started = time.perf_counter()
    made = 0
    while made < n:
        size = min(BATCH, n - made)
        dossier_rows, fact_rows = [], []
        for i in range(made, made + size):
            agency = agencies[1 + rng.randrange(100)]
            received = year_start + dt.timedelta(seconds=rng.randrange(span))
            due = received + dt.timedelta(days=rng.choice((1, 5, 7, 10, 15)))
            finish = received + dt.timedelta(hours=rng.randrange(1, 24 * 20))
            finished = finish if finish < now and rng.random() < 0.97 else None
            supplements: tuple[Supplement, ...] = ()
            if rng.random() < 0.08:
                asked = received + dt.timedelta(days=1)
                supplements = (
                    Supplement(asked, asked + dt.timedelta(days=2) if rng.random() < 0.7 else None),
                )
            status = (
                "returned" if finished else rng.choice(("processing", "processing", "awaiting_supplement"))
            )
            channel = rng.choice(("online", "online", "counter", "post"))
            code = f"BENCH-{i:08d}"
            dossier_id = next_id + i
            row = {
                **template,
                "id": dossier_id,
                "code": code,
                "status": status,
                "channel": channel,
                "receiving_agency_id": agency.pk,  # type: ignore[attr-defined]
                "competent_agency_id": agency.pk,  # type: ignore[attr-defined]
                "received_at": received,
                "appointment_at": due,
                "processing_finished_at": finished,
            }
            dossier_rows.append(tuple(row[c] for c in dossier_columns))
            verdict = clock_verdict(ClockInputs(received, due, finished, supplements))
            national = {"returned": 10, "processing": 4, "awaiting_supplement": 5}[status]
            fact = {
                "dossier_id": dossier_id,
                "code": code,
                "agency_id": agency.pk,  # type: ignore[attr-defined]
                "agency_level": agency.level,  # type: ignore[attr-defined]
                "procedure_code": "1.009999",
                "channel": channel,
                "national_status": national,
                "received_at": received,
                "appointment_at": due,
                "finished_at": finished,
                "clock_end_at": verdict.clock_end_at,
                "verdict": verdict.verdict,
                "verdict_reason": verdict.reason,
                "suspended": national == 5,
                "supplement_requests": len(supplements),
                "synced": rng.random() < 0.95,
                "fee_bearing": rng.random() < 0.5,
                "paid_online": rng.random() < 0.35,
                "result_is_document": True,
                "e_result": finished is not None and rng.random() < 0.8,
                "components_digitised": rng.random() < 0.85,
                "reused": rng.random() < 0.6,
                "from_store": rng.random() < 0.3,
                "population_data": rng.random() < 0.5,
                "dissatisfied": rng.random() < 0.01,
                "updated_at": stamp,
            }
            fact_rows.append(tuple(fact[c] for c in fact_fields))
        write_dossiers(dossier_rows)  # type: ignore[operator]
        write_facts(fact_rows)  # type: ignore[operator]
        made += size
        if made % 100_000 == 0:
            print(
                f"  … {made:,} dossiers and facts ({made / (time.perf_counter() - started):,.0f}/s)",
                flush=True,
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{Dossier._meta.db_table}', 'id'), "
                f"(SELECT MAX(id) FROM {Dossier._meta.db_table}))"
            )
    return time.perf_counter() - started


def _viewer(province: object) -> object:
    from motcua.accounts.models import Role, StaffRole, User

    user = User.objects.create_user(username="ioc-bench", password="x", full_name="IOC", kind="staff")
    StaffRole.objects.create(user=user, agency=province, role=Role.IOC_VIEWER, valid_from=dt.date(2024, 1, 1))
    return user


def _import_rate(agency: object) -> float:
    from motcua.ioc.importer import dossiers_import

    rng = random.Random(18)
    lines = []
    for i in range(int(os.environ.get("MOTCUA_BENCH_IOC_IMPORTS", "2000"))):
        received = dt.datetime(2025, 10, 1, 8, tzinfo=VN) + dt.timedelta(minutes=rng.randrange(30 * 24 * 60))
        lines.append(
            json.dumps(
                {
                    "MaHoSo": f"IMP-{i:06d}",
                    "MaTTHC": "1.009999",
                    "DonViXuLy": agency.code,  # type: ignore[attr-defined]
                    "TrangThaiHoSo": 10,
                    "KenhThucHien": 2,
                    "ChuHoSo": "—",
                    "NgayTiepNhan": received.strftime("%Y%m%d%H%M%S"),
                    "NgayHenTra": (received + dt.timedelta(days=7)).strftime("%Y%m%d%H%M%S"),
                    "NgayKetThucXuLy": (received + dt.timedelta(days=3)).strftime("%Y%m%d%H%M%S"),
                    "DuocThanhToanTrucTuyen": 1,
                    "TaiLieuNop": [{"TenTepDinhKem": "Đơn", "DuongDanTaiTepTin": "/f.pdf", "DuocSoHoa": 1}],
                    "DanhSachLePhi": [{"TenPhiLePhi": "Lệ phí", "Gia": 50000}],
                    "DanhSachGiayToKetQua": [{"TenGiayTo": "GP", "DuongDanTepTinKetQua": "/kq.pdf"}],
                }
            )
        )
    started = time.perf_counter()
    report = dossiers_import(lines)
    return report.created / (time.perf_counter() - started)


def _explain(label: str, fn: object, top: int = 3) -> None:
    """EXPLAIN ANALYZE of the ``top`` slowest statements ``fn`` runs (``MOTCUA_BENCH_IOC_EXPLAIN=1``)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()  # type: ignore[operator]
    slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:top]
    for query in slowest:
        print(f"--- {label}: {float(query['time']) * 1000:.0f} ms\n{query['sql'][:600]}")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            print("\n".join(row[0] for row in cursor.fetchall()))


def main() -> None:
    from django.db import connection

    from motcua.calendar.services import calendar_seed
    from motcua.ioc import opendata
    from motcua.ioc.daily import daily_rebuild
    from motcua.ioc.index import Period, index_compute
    from motcua.ioc.selectors import dashboard, dashboard_for

    calendar_seed(years=range(2024, 2027))
    n = int(os.environ.get("MOTCUA_BENCH_IOC_DOSSIERS", "1000000"))
    now = dt.datetime(2025, 12, 20, 10, 0, tzinfo=VN)
    agencies = _agencies()
    version = _version(agencies[1])
    seconds = _generate(n, agencies, version, now)
    print(f"generated {n:,} dossiers with their facts in {seconds:.0f} s ({n / seconds:,.0f}/s)")
    # The rows went in by COPY, around ``fact_refresh``: the daily counters are rebuilt once, as after an
    # import by another route (``motcua index rebuild-daily``).
    started = time.perf_counter()
    days = daily_rebuild()
    print(f"daily counters rebuilt from the facts: {days:,} rows in {time.perf_counter() - started:.1f} s")
    if connection.vendor == "postgresql":
        # VACUUM as autovacuum would after a load: the visibility map lets the open rows be counted from
        # the covering indexes alone.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE ioc_dossierfact")
            cursor.execute("VACUUM ANALYZE ioc_dailycount")
        print(f"VACUUM ANALYZE of the facts and counters: {time.perf_counter() - started:.1f} s")
    november = Period(dt.date(2025, 11, 1), dt.date(2025, 11, 30))
    if os.environ.get("MOTCUA_BENCH_IOC_EXPLAIN") and connection.vendor == "postgresql":
        _explain("index, province, November", lambda: index_compute(period=november, now=now))
        _explain("dashboard", lambda: dashboard_for(agency_ids=None, agency=None, now=now))
    dashboard_for(agency_ids=None, agency=None, now=now)  # warm
    board = timed(lambda: dashboard_for(agency_ids=None, agency=None, now=now), 30)
    print(f"dashboard (province: every count, due list, ranking, index + 6-month trend): {summary(board)}")
    viewer = _viewer(agencies[0])
    dashboard(user=viewer)  # computed once, then shared by the monitors of the scope for 30 s
    kept = timed(lambda: dashboard(user=viewer), 30)
    print(f"dashboard as a monitor sees it (kept for MOTCUA_IOC_DASHBOARD_SECONDS): {summary(kept)}")
    province = timed(lambda: index_compute(period=november, now=now), 20)
    print(f"index, province, one month: {summary(province)}")
    one = agencies[5]
    agency = timed(lambda: index_compute(period=november, agency=one, now=now), 20)  # type: ignore[arg-type]
    print(f"index, one agency, one month: {summary(agency)}")
    rows: list[dict[str, object]] = []

    def export() -> None:
        rows[:] = opendata.statistics_by_agency(period=november)
        opendata.export_csv(rows)
        opendata.export_xlsx(rows, title="2025-11")

    print(f"open-data export of a month (100 agencies, CSV + XLSX): {summary(timed(export, 10))}")
    rate = _import_rate(agencies[1])
    print(f"import (DongBoHoSoMC → dossier, components, fees, event, fact): {rate:,.0f} dossiers/s")
