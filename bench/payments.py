"""Payment notifications (IPN) per second over HTTP, and the daily reconciliation of 100,000 payments.

Profile first (``MOTCUA_BENCH_IPN_PROFILE`` orders, 0 to skip): one notification at a time in this process
through Django's test client — the SQL statements of one, then per notification the wall time, the time
spent waiting for the database, and the CPU used by Django and by the PostgreSQL backend (from /proc).

IPN: every order on a dossier of its own (as in a province: notifications of different dossiers never wait
for the same row lock); granian (WSGI, ``MOTCUA_BENCH_WORKERS`` × ``MOTCUA_BENCH_THREADS``) in front of the
runner's database; wrk (one thread, ``MOTCUA_BENCH_IPN_CLIENTS`` keep-alive connections) sends signed
notifications for ``MOTCUA_BENCH_IPN_SECONDS``, every order notified once — the full path: signature, row
locks (dossier, then order), order and dossier updates, ledger and timeline rows, the IOC's stale mark, the
drains woken after the commit. The confirmed notifications are counted in our ledger afterwards. Receipts
are issued by the worker's drain, not in the notification (no worker runs here).

Reconciliation: 100,000 payments of one day in our ledger against a settlement file of the same day from
the simulator over HTTP, with a few differences injected."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from bench.stats import cpu_times, percentile, steal_since, wrk_figures

WORKERS = os.environ.get("MOTCUA_BENCH_WORKERS", "2")
THREADS = os.environ.get("MOTCUA_BENCH_THREADS", "1")
CLIENTS = int(os.environ.get("MOTCUA_BENCH_IPN_CLIENTS", "8"))
ORDERS = int(os.environ.get("MOTCUA_BENCH_IPN_ORDERS", "8000"))
IPN_SECONDS = int(os.environ.get("MOTCUA_BENCH_IPN_SECONDS", "10"))
RECONCILE_PAYMENTS = int(os.environ.get("MOTCUA_BENCH_RECONCILE_PAYMENTS", "100000"))
DAY = dt.date(2026, 3, 2)


def _setup() -> tuple[object, object]:
    from motcua.agencies.demo import load_demo_agencies
    from motcua.calendar.services import calendar_seed
    from motcua.catalog.demo import load_demo_catalogue
    from motcua.catalog.models import Channel, ProcedureVersion
    from motcua.dossiers.models import Dossier

    load_demo_agencies()
    calendar_seed(years=range(2024, 2028))
    load_demo_catalogue()
    version = ProcedureVersion.objects.select_related("competent_agency").first()
    assert version is not None
    receiving = version.receiving_agencies.first() or version.competent_agency
    dossier = Dossier.objects.create(
        code="BENCH-PAYMENTS",
        procedure_version=version,
        channel=Channel.ONLINE,
        applicant_name="Nguyễn Văn An",
        applicant_id_number="001090012345",
        receiving_agency=receiving,
        competent_agency=version.competent_agency,
        status="received",
        payment_status="due",
    )
    return version, dossier


def _orders(dossier: object, n: int, *, prefix: str, paid_at: dt.datetime | None = None) -> list[str]:
    """``n`` orders; pending ones each on a dossier of its own (as in life: two notifications for different
    dossiers never wait for the same row), paid ones (reconciliation) all on ``dossier``."""
    from motcua.core import clock
    from motcua.dossiers.models import Dossier
    from motcua.payments.models import OrderStatus, PaymentOrder

    now = clock.now()
    refs = [f"{prefix}{i:08d}" for i in range(n)]
    owners: list[object] = [dossier] * n
    if paid_at is None:
        template = dossier
        fresh = []
        for ref in refs:
            copy = Dossier(**{f.attname: getattr(template, f.attname) for f in Dossier._meta.concrete_fields})
            copy.pk = None
            copy.code = f"BENCH-{ref}"
            fresh.append(copy)
        owners = list(Dossier.objects.bulk_create(fresh, batch_size=2000))
    PaymentOrder.objects.bulk_create(
        [
            PaymentOrder(
                dossier=owner,  # type: ignore[misc]
                txn_ref=ref,
                amount=100_000,
                channel="online_national",
                provider="vnpay",
                status=OrderStatus.PAID if paid_at else OrderStatus.PENDING,
                created_at=now,
                expires_at=now + dt.timedelta(hours=1),
                paid_at=paid_at,
            )
            for ref, owner in zip(refs, owners, strict=True)
        ],
        batch_size=5000,
    )
    return refs


def _ipn_query(ref: str, secret: str, tmn: str, no: int) -> str:
    from motcua.simulators.payment import secure_hash

    params = {
        "vnp_TmnCode": tmn,
        "vnp_Amount": "10000000",
        "vnp_BankCode": "NCB",
        "vnp_PayDate": "20260302100000",
        "vnp_ResponseCode": "00",
        "vnp_TransactionNo": str(no),
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": ref,
    }
    params["vnp_SecureHash"] = secure_hash(secret, params)
    return "/thanh-toan/vnpay/ipn/?" + urllib.parse.urlencode(params)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


PROFILE_ORDERS = int(os.environ.get("MOTCUA_BENCH_IPN_PROFILE", "300"))


def ipn_profile(dossier: object) -> None:
    """One notification in this process, through Django's test client (middleware, view, service), one at
    a time: the SQL statements of the first one, then per notification the wall time and the part spent
    waiting for the database (every statement timed by an execute wrapper) — what one worker thread can do
    with the machine to itself, and where it goes."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    refs = _orders(dossier, PROFILE_ORDERS + 1, prefix="MCPROF")
    print(f"(profile: {PROFILE_ORDERS + 1:,} pending orders on as many dossiers, one dossier per order)")
    secret, tmn = settings.MOTCUA_PAYMENT_HASH_SECRET, settings.MOTCUA_PAYMENT_TMN_CODE
    client = Client(HTTP_HOST="127.0.0.1")
    client.get("/thanh-toan/vnpay/ipn/?vnp_TxnRef=x")  # imports, URL resolver, first connection
    with CaptureQueriesContext(connection) as first:
        answer = client.get(_ipn_query(refs[0], secret, tmn, 0)).json()
    assert answer["RspCode"] == "00", answer
    print(f"one first notification: {len(first.captured_queries)} SQL statements")
    for q in first.captured_queries:
        print(f"    {q['time']:>6} s  {' '.join(q['sql'].split())[:150]}")
    with CaptureQueriesContext(connection) as replay:
        answer = client.get(_ipn_query(refs[0], secret, tmn, 0)).json()
    assert answer["RspCode"] == "02", answer
    print(f"one replay: {len(replay.captured_queries)} SQL statements")

    db_ms = 0.0

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal db_ms
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            db_ms += (time.perf_counter() - started) * 1000

    backend = connection.connection.info.backend_pid if connection.vendor == "postgresql" else None  # type: ignore[union-attr]
    for label, batch in (("first notifications", refs[1:]), ("replays", refs[1 : 1 + len(refs) // 2])):
        walls: list[float] = []
        dbs: list[float] = []
        queries = [_ipn_query(ref, secret, tmn, i + 1) for i, ref in enumerate(batch)]
        with connection.execute_wrapper(timed):
            cpu, server_cpu = time.process_time(), _cpu_ms(backend)
            started_all = time.perf_counter()
            for query in queries:
                db_ms = 0.0
                started = time.perf_counter()
                client.get(query)
                walls.append((time.perf_counter() - started) * 1000)
                dbs.append(db_ms)
            elapsed = time.perf_counter() - started_all
            cpu_ms = (time.process_time() - cpu) * 1000 / len(batch)
            server_ms = (_cpu_ms(backend) - server_cpu) / len(batch)
        print(
            f"in process, one thread, {label}: {len(batch) / elapsed:,.0f}/s; "
            f"p50 {percentile(walls, 50):.1f} ms, p99 {percentile(walls, 99):.1f} ms; "
            f"mean {sum(walls) / len(walls):.2f} ms of which waiting for the database "
            f"{sum(dbs) / len(dbs):.2f} ms; CPU per notification: Django {cpu_ms:.2f} ms, "
            f"PostgreSQL backend {server_ms:.2f} ms"
        )


def _cpu_ms(pid: int | None) -> float:
    """CPU time (user + system) a local process has used so far, from /proc (0 when unknown)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


# wrk sends the prepared notifications, each once, in order per connection: this thread's share of the
# file's lines (every ``n``-th from its number). A thread that runs out stops sending: a notification sent
# twice would be a replay, not a first one (its count is checked in our ledger after the run).
IPN_LUA = r"""
local threads, n = {}, 0
setup = function(thread) thread:set("tid", n); n = n + 1; table.insert(threads, thread) end
local paths, next_path = {}, 0
init = function(args)
  local k, every = 0, tonumber(args[2])
  for line in io.lines(args[1]) do
    if k % every == tid then table.insert(paths, line) end
    k = k + 1
  end
end
request = function()
  next_path = next_path + 1
  if next_path > #paths then wrk.thread:stop(); next_path = #paths end
  return wrk.format("GET", paths[next_path])
end
"""


# One wrk thread (its share: every line of the file) leaves the cores to the server.
WRK = ("wrk", "-t1")


def _wrk_run(url: str, script: Path, paths: Path, seconds: int) -> dict[str, str]:
    before = cpu_times()
    out = subprocess.run(
        [*WRK, f"-c{CLIENTS}", f"-d{seconds}s", "--latency", "-s", str(script), url, "--", str(paths), "1"],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    figures = wrk_figures(out)
    figures["steal"] = steal_since(before)
    return figures


def ipn_bench(dossier: object) -> None:
    """granian in front of the runner's database, wrk as the payment platform's servers: ``CLIENTS``
    keep-alive connections send signed first notifications, each order once, for ``IPN_SECONDS``; then
    the same notifications again (replays). Counted in our ledger afterwards, not trusted from the client."""
    from django.conf import settings

    from motcua.payments.models import EventKind, PaymentEvent

    refs = _orders(dossier, ORDERS, prefix="MCBENCH")
    print(
        f"(IPN: {ORDERS:,} pending orders on as many dossiers, one dossier per order, created in bulk — "
        "as in a province, no two notifications wait for the same dossier row)"
    )
    workdir = Path(tempfile.mkdtemp(prefix="motcua-payments-bench-"))
    paths = workdir / "ipn-paths.txt"
    paths.write_text(
        "\n".join(
            _ipn_query(ref, settings.MOTCUA_PAYMENT_HASH_SECRET, settings.MOTCUA_PAYMENT_TMN_CODE, i)
            for i, ref in enumerate(refs)
        )
        + "\n"
    )
    script = workdir / "ipn.lua"
    script.write_text(IPN_LUA)
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "motcua.config.settings_bench",
        "MOTCUA_CONN_MAX_AGE": "600",
        "MOTCUA_SIGN_RESULTS": "0",
        "MOTCUA_LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "granian"),
            "--interface",
            "wsgi",
            "motcua.config.wsgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            WORKERS,
            "--blocking-threads",
            THREADS,
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "server.log", "w"),  # noqa: SIM115
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # a loaded machine takes a while to start its workers
            try:
                urllib.request.urlopen(f"{base}/thanh-toan/vnpay/ipn/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        # Warm every worker and connection with rejected (bad-hash) notifications.
        warm = workdir / "warm.txt"
        warm.write_text("/thanh-toan/vnpay/ipn/?vnp_TxnRef=x\n" * 400)
        _wrk_run(base, script, warm, 2)
        events = PaymentEvent.objects.filter(order__txn_ref__startswith="MCBENCH")
        first = _wrk_run(base, script, paths, IPN_SECONDS)
        confirmed = events.filter(kind=EventKind.PAID).count()
        print(
            f"IPN (first notification of each order; wrk, {CLIENTS} connections; granian {WORKERS} workers × "
            f"{THREADS} threads): {first['rps']} notifications/s; p50 {first['p50']}, p99 {first['p99']}; "
            f"{first['requests']} sent, {confirmed} confirmed in the ledger, non-2xx {first['non2xx']}; "
            f"CPU stolen by the hypervisor {first['steal']}"
        )
        if int(first["requests"]) >= ORDERS:
            print(f"(every order was notified before {IPN_SECONDS} s: raise MOTCUA_BENCH_IPN_ORDERS)")
        rejected = events.filter(kind=EventKind.NOTIFICATION_REJECTED).count()
        # Replays of the orders already notified only (the rest would be first notifications).
        notified = workdir / "ipn-replays.txt"
        notified.write_text("".join(paths.read_text().splitlines(keepends=True)[: int(first["requests"])]))
        again = _wrk_run(base, script, notified, max(IPN_SECONDS // 2, 1))
        replays = events.filter(kind=EventKind.NOTIFICATION_REJECTED).count() - rejected
        print(
            f"IPN replays (answered 02 under the row locks): {again['rps']} notifications/s; "
            f"p50 {again['p50']}, p99 {again['p99']}; {again['requests']} sent, {replays} in the ledger"
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def reconcile_bench(dossier: object) -> None:
    from django.conf import settings

    from motcua.core import clock
    from motcua.payments.reconcile import reconcile_day
    from motcua.simulators.payment import (
        PaymentPlatform,
        SettlementLine,
        payment_serve_in_thread,
        payment_server,
    )

    paid_at = dt.datetime.combine(DAY, dt.time(10, 0), tzinfo=clock.VIETNAM_TZ)
    started = time.perf_counter()
    refs = _orders(dossier, RECONCILE_PAYMENTS, prefix="MCREC", paid_at=paid_at)
    print(f"(created {len(refs):,} paid orders in {time.perf_counter() - started:.1f} s)")
    platform = PaymentPlatform(tmn_code="x", hash_secret="x")
    platform.settlement = [
        SettlementLine(DAY, ref, str(i), "payment", 100_000, "NCB", "") for i, ref in enumerate(refs)
    ]
    # Injected differences: 10 missing on their side, 10 amounts off, 10 only theirs.
    del platform.settlement[:10]
    for line in platform.settlement[:10]:
        line.amount -= 1
    platform.settlement += [
        SettlementLine(DAY, f"MCTHEIRS{i}", "0", "payment", 5000, "NCB", "") for i in range(10)
    ]
    server = payment_server(platform=platform, port=0)
    payment_serve_in_thread(server)
    settings.MOTCUA_PAYMENT_URL = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        samples = []
        for _ in range(3):
            started = time.perf_counter()
            report = reconcile_day(DAY)
            samples.append(time.perf_counter() - started)
        print(
            f"reconcile {RECONCILE_PAYMENTS:,} payments (settlement file over HTTP + our ledger): "
            f"best {min(samples):.2f} s, worst {max(samples):.2f} s; matched {report.matched:,}, "
            f"ours only {report.ours_only}, theirs only {report.theirs_only}, "
            f"amount mismatch {report.amount_mismatch}"
        )
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    _, dossier = _setup()
    if PROFILE_ORDERS:
        ipn_profile(dossier)
    ipn_bench(dossier)
    reconcile_bench(dossier)
