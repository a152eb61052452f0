"""Online submissions/s and public status lookups/s over HTTP: granian (WSGI, 2 workers) in front of the
database the runner chose (PostgreSQL under `make bench`), loaded by wrk on the same 2 cores."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from bench.stats import cpu_times, steal_since, wrk_figures

DURATION = os.environ.get("MOTCUA_BENCH_SECONDS", "10")
WORKERS = os.environ.get("MOTCUA_BENCH_WORKERS", "4")
# Python threads per worker, each with its own database connection (granian's default for WSGI is
# backpressure ÷ 2 = 128 threads per worker: hundreds of connections and threads fighting for the GIL).
THREADS = os.environ.get("MOTCUA_BENCH_THREADS", "2")
CONNECTIONS = int(os.environ.get("MOTCUA_BENCH_CONNECTIONS", "16"))
# The fixed-rate runs: the targets of issue 3, offered at a steady rate whatever the answers take.
SUBMIT_RATE = int(os.environ.get("MOTCUA_BENCH_SUBMIT_RATE", "200"))
LOOKUP_RATE = int(os.environ.get("MOTCUA_BENCH_LOOKUP_RATE", "1000"))
PACED_CONNECTIONS = int(os.environ.get("MOTCUA_BENCH_PACED_CONNECTIONS", "64"))
WRK_THREADS = 2
PROCEDURE = "1.004873.000.00.00.H99"  # marital-status certificate: one required component, full online
# The smallest PDF that parses (uploads are opened with pikepdf): one empty A4 page.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

SUBMIT_LUA = r"""
local counter = 0
local thread_no = 0
setup = function(thread) thread:set("tid", thread_no); thread_no = thread_no + 1 end
function init(args) prefix = "__RUN__-" .. tostring(tid) end
request = function()
  counter = counter + 1
  return wrk.format("POST", "/api/v1/dossiers", {
    ["Content-Type"] = "multipart/form-data; boundary=motcuaBOUNDARY",
    ["Authorization"] = "Bearer __TOKEN__",
    ["Idempotency-Key"] = prefix .. "-" .. counter,
  }, body)
end
"""

LOOKUP_LUA = r"""
local lookups = {__CODES__}
request = function()
  local lookup = lookups[math.random(1, #lookups)]
  return wrk.format("GET", "/api/v1/dossiers/" .. lookup[1] .. "/status?factor=" .. lookup[2])
end
"""


# Open-loop pacing for wrk (which is a closed loop: each connection sends its next request when the last
# answer arrives, so a slow server is offered less load and the latency it causes is never measured).
# Each wrk thread keeps a schedule of send times, one every THREADS/RATE s; a connection that comes free
# takes the next slot and waits for it (wrk's delay()). wrk starts the latency clock when it sends, so a
# send made after its slot — every connection was busy, or wrk itself did not get the CPU in time —
# would hide that much queueing: those are counted and printed with the worst delay ("late sends"); with
# enough connections they are few and short, and the figures are those of a steady offered rate.
# (wrk2 does this with latency correction; it is not packaged in Debian.)
PACING_LUA = r"""
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } motcua_timespec;
int clock_gettime(int clk_id, motcua_timespec *tp);
]]
local ts = ffi.new("motcua_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end
local paced_threads = {}
local setup_inner = setup
function setup(thread)
  thread:set("pace_id", #paced_threads)
  table.insert(paced_threads, thread)
  if setup_inner then setup_inner(thread) end
end
local interval = __THREADS__ * 1000 / __RATE__
local next_at = nil
late = 0
max_late = 0
function delay()
  local t = now_ms()
  -- threads start half an interval apart, so their sends interleave
  if next_at == nil then next_at = t + pace_id * interval / __THREADS__ end
  local wait = next_at - t
  next_at = next_at + interval
  if wait < -2 then
    late = late + 1
    if -wait > max_late then max_late = -wait end
  end
  return math.max(0, math.floor(wait + 0.5))
end
function done(summary, latency, requests)
  local total, worst = 0, 0
  for _, thread in ipairs(paced_threads) do
    total = total + thread:get("late")
    worst = math.max(worst, thread:get("max_late"))
  end
  io.write(string.format("late sends: %d (at most %.0f ms late)\n", total, worst))
end
"""


def _paced(script: str, rate: int) -> str:
    return script + PACING_LUA.replace("__THREADS__", str(WRK_THREADS)).replace("__RATE__", str(rate))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _multipart(component_id: int) -> str:
    data = {
        "procedure": PROCEDURE,
        "applicant": {"name": "Nguyễn Văn An", "id_number": "001090012345", "phone": "0912345678"},
    }
    parts = [
        '--motcuaBOUNDARY\r\nContent-Disposition: form-data; name="data"\r\n\r\n' + json.dumps(data) + "\r\n",
        f'--motcuaBOUNDARY\r\nContent-Disposition: form-data; name="component_{component_id}"; '
        'filename="to-khai.pdf"\r\nContent-Type: application/pdf\r\n\r\n' + PDF.decode() + "\r\n",
        "--motcuaBOUNDARY--\r\n",
    ]
    return "".join(parts)


def _cpu_by_program() -> dict[str, float]:
    """CPU seconds used so far by each program on the machine (granian, postgres, wrk …), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        argv = [Path(a.decode(errors="replace")).name for a in cmdline[:2]]
        name = "granian" if "granian" in argv else stat[stat.index("(") + 1 : stat.rindex(")")]
        name = "postgres" if name.startswith("postgres") else name
        used[name] = used.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return used


def _wrk(url: str, script: Path, connections: int, seconds: str | int = DURATION) -> dict[str, str]:
    cpu_before, times_before = _cpu_by_program(), cpu_times()
    out = subprocess.run(
        ["wrk", f"-t{WRK_THREADS}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
        timeout=int(seconds) + 60,
    ).stdout
    result = wrk_figures(out)
    # A shared VM: the share of CPU time the hypervisor gave to other guests during the run.
    result["steal"] = steal_since(times_before)
    if os.environ.get("MOTCUA_BENCH_CPU"):
        # Where the two cores went, per request: the web workers, the database, the load generator.
        cpu_after, requests = _cpu_by_program(), max(1, int(result["requests"]))
        spent = {k: v - cpu_before.get(k, 0.0) for k, v in cpu_after.items()}
        top = sorted(spent.items(), key=lambda kv: -kv[1])[:4]
        result["cpu"] = ", ".join(f"{k} {v * 1000 / requests:.2f} ms" for k, v in top)
    return result


def _profile_start(server_pid: int, workdir: Path) -> subprocess.Popen[bytes] | None:
    """With MOTCUA_BENCH_PROFILE=1, py-spy samples every worker during the submission run and the
    collapsed stacks are left in the scenario's temporary folder (printed)."""
    if not os.environ.get("MOTCUA_BENCH_PROFILE"):
        return None
    out = workdir / "submissions.pyspy.txt"
    print(f"(py-spy profile of the submission run: {out})")
    spy = Path(sys.executable).parent / "py-spy"
    return subprocess.Popen(
        [
            str(spy),
            "record",
            "--pid",
            str(server_pid),
            "--subprocesses",
            "--nonblocking",
            "--format",
            "raw",
            "--rate",
            "200",
            "--duration",
            DURATION,
            "--output",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _profile_stop(profiler: subprocess.Popen[bytes] | None) -> None:
    if profiler is not None:
        profiler.wait(timeout=int(DURATION) + 60)


def _settle() -> None:
    from django.db import connection

    os.sync()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")


def _report(what: str, how: str, figures: dict[str, str], extra: str = "") -> None:
    late = f", late sends {figures['late']}" if "steady" in how else ""
    print(
        f"{what} — {how}:\n    {float(figures['rps']):,.0f} req/s, "
        f"p50 {figures['p50']}, p99 {figures['p99']}, "
        f"{figures['requests']} requests, non-2xx {figures['non2xx']}, socket errors "
        f"{figures['socket_errors']}{late}{extra}; CPU stolen by the host {figures['steal']}"
    )
    if "cpu" in figures:
        print(f"    CPU per request: {figures['cpu']}")


def main() -> None:
    from motcua.accounts.demo import load_demo_users
    from motcua.accounts.models import User
    from motcua.agencies.demo import load_demo_agencies
    from motcua.calendar.services import calendar_seed
    from motcua.catalog.demo import load_demo_catalogue
    from motcua.catalog.models import ProcedureVersion
    from motcua.core.auth import api_token_create
    from motcua.dossiers.models import Dossier

    load_demo_agencies()
    calendar_seed(years=range(2024, 2028))
    load_demo_catalogue()
    load_demo_users()
    citizen = User.objects.get(username="an")
    _, token = api_token_create(user=citizen, name="bench")
    version = ProcedureVersion.objects.get(procedure__local_code=PROCEDURE)
    component = version.components.order_by("order").first()
    assert component is not None
    port = _free_port()
    workdir = Path(tempfile.mkdtemp(prefix="motcua-http-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "motcua.config.settings_bench",
        "MOTCUA_CONN_MAX_AGE": "600",
        "MOTCUA_MEDIA_ROOT": str(workdir / "media"),
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
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        # Lua's math.random is not seeded: each run gets its own key prefix, or a second run would send
        # the first run's Idempotency-Keys and measure cheap retries instead of new submissions.
        warm_lua, submit_lua = workdir / "warm.lua", workdir / "submit.lua"
        body = (
            _multipart(component.pk)
            .replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\r", "\\r")
            .replace("\n", "\\n")
        )
        paced_submit_lua = workdir / "submit-paced.lua"
        for script in (warm_lua, submit_lua, paced_submit_lua):
            run_lua = SUBMIT_LUA.replace("__TOKEN__", token).replace("__RUN__", uuid.uuid4().hex)
            if script is paced_submit_lua:
                run_lua = _paced(run_lua, SUBMIT_RATE)
            script.write_text(f'body = "{body}"\n' + run_lua, encoding="utf-8")
        # Warm-up: every worker has loaded its code and opened its database connection before we measure.
        _wrk(base, warm_lua, 16, seconds=3)
        before = Dossier.objects.count()
        profiler = _profile_start(server.pid, workdir)
        sub = _wrk(base, submit_lua, CONNECTIONS)
        _profile_stop(profiler)
        created = Dossier.objects.count() - before
        _report(
            "online submissions (POST /api/v1/dossiers, multipart with a PDF, token auth, Idempotency-Key)",
            f"as fast as possible, {CONNECTIONS} connections kept busy",
            sub,
            f", dossiers created {created}",
        )
        before = Dossier.objects.count()
        sub = _wrk(base, paced_submit_lua, PACED_CONNECTIONS)
        created = Dossier.objects.count() - before
        _report(
            "online submissions",
            f"offered at a steady {SUBMIT_RATE}/s over {PACED_CONNECTIONS} connections",
            sub,
            f", dossiers created {created}",
        )
        # Let the write phase settle before the reads are measured: it leaves ~6,000 new files for the
        # kernel to write back and freshly filled tables for autovacuum, which otherwise run during the
        # look-ups and stall the two shared cores (the generator included) for up to ~100 ms.
        _settle()
        # Each dossier with its look-up secret (the second factor printed on the receipt; dossiers from
        # before the secret answer to the last 4 digits of the phone, 5678 in this data).
        codes = list(Dossier.objects.exclude(code=None).values_list("code", "lookup_secret")[:2000])
        pairs = ",".join(f'{{"{c}", "{s or 5678}"}}' for c, s in codes)
        lookup = LOOKUP_LUA.replace("__CODES__", pairs)
        lookup_lua, paced_lookup_lua = workdir / "lookup.lua", workdir / "lookup-paced.lua"
        lookup_lua.write_text(lookup, encoding="utf-8")
        paced_lookup_lua.write_text(_paced(lookup, LOOKUP_RATE), encoding="utf-8")
        look = _wrk(base, lookup_lua, CONNECTIONS)
        _report(
            "public status lookups (GET /api/v1/dossiers/{code}/status?factor=…)",
            f"as fast as possible, {CONNECTIONS} connections kept busy",
            look,
        )
        look = _wrk(base, paced_lookup_lua, PACED_CONNECTIONS)
        _report(
            "public status lookups",
            f"offered at a steady {LOOKUP_RATE}/s over {PACED_CONNECTIONS} connections",
            look,
        )
        print(f"({WORKERS} granian workers × {THREADS} threads, {DURATION} s per run)")
    finally:
        server.terminate()
        server.wait(timeout=20)
