"""Memory of the whole running province under load (issue 15, "Done when": goal ≤ 1 GB): the processes
`make run` starts — granian (master + MOTCUA_WEB_WORKERS workers × MOTCUA_WEB_THREADS threads), the task
worker and the scheduler, under supervisord from scripts/supervisord-conf — against the runner's database,
while wrk submits dossiers over HTTP. RSS and PSS (shared pages counted once) of every process, sampled
every 0.25 s; and what /metrics and /readyz answer afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

from bench.http_dossiers import PROCEDURE, SUBMIT_LUA, _free_port, _multipart, _wrk

REPO = Path(__file__).resolve().parent.parent
DURATION = int(os.environ.get("MOTCUA_BENCH_SECONDS", "20"))
CONNECTIONS = int(os.environ.get("MOTCUA_BENCH_CONNECTIONS", "16"))


def _children(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat[stat.rindex(")") + 2 :].split()[1])
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        kids = [child for child, parent in parents.items() if parent == pid]
        found += kids
        frontier += kids
    return found


def _memory_kib(pid: int) -> tuple[str, int, int]:
    """(program, RSS, PSS) in KiB."""
    try:
        argv = (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        rollup = (Path("/proc") / str(pid) / "smaps_rollup").read_text().splitlines()
    except OSError:
        return "", 0, 0
    values = {line.split(":")[0]: int(line.split()[1]) for line in rollup[1:] if line.split()[1].isdigit()}
    program = next((name for name in ("granian", "worker", "scheduler") if name in argv), "other")
    return program, values.get("Rss", 0), values.get("Pss", 0)


def _sample(root: int) -> dict[str, tuple[int, int]]:
    totals: dict[str, tuple[int, int]] = {}
    for pid in _children(root):
        program, rss, pss = _memory_kib(pid)
        if program:
            old = totals.get(program, (0, 0))
            totals[program] = (old[0] + rss, old[1] + pss)
    return totals


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
    _, token = api_token_create(user=citizen, name="bench-operations")
    version = ProcedureVersion.objects.get(procedure__local_code=PROCEDURE)
    component = version.components.order_by("order").first()
    assert component is not None
    port = _free_port()
    var = Path(tempfile.mkdtemp(prefix="motcua-ops-bench-"))
    (var / "static").mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "motcua.config.settings_bench",
        "MOTCUA_VAR_DIR": str(var),
        "MOTCUA_MEDIA_ROOT": str(var / "media"),
        "MOTCUA_PORT": str(port),
        "MOTCUA_TSA_PORT": "",
        "MOTCUA_LOG_LEVEL": "WARNING",
        "MOTCUA_LOG_TO": str(var / "processes.log"),
        "MOTCUA_VENV_BIN": str(Path(sys.executable).parent),
        "PROMETHEUS_MULTIPROC_DIR": str(var / "prometheus"),
    }
    (var / "prometheus").mkdir()
    conf = var / "supervisord.conf"
    conf.write_text(subprocess.run([str(REPO / "scripts/supervisord-conf")], env=env, capture_output=True,
                                   text=True, check=True).stdout)  # fmt: skip
    supervisor = subprocess.Popen(
        [str(Path(sys.executable).parent / "supervisord"), "-c", str(conf)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=5)
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError(f"the province did not start: {var / 'processes.log'}")
        time.sleep(2)  # the worker and the scheduler have loaded Django too
        idle = _sample(supervisor.pid)
        body = (
            _multipart(component.pk)
            .replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\r", "\\r")
            .replace("\n", "\\n")
        )
        script = var / "submit.lua"
        lua = SUBMIT_LUA.replace("__TOKEN__", token).replace("__RUN__", uuid.uuid4().hex)
        script.write_text(f'body = "{body}"\n' + lua, encoding="utf-8")
        peak: dict[str, tuple[int, int]] = {}
        peak_total = [0, 0]
        running = threading.Event()
        running.set()

        def sampler() -> None:
            while running.is_set():
                sample = _sample(supervisor.pid)
                for program, (rss, pss) in sample.items():
                    old = peak.get(program, (0, 0))
                    peak[program] = (max(old[0], rss), max(old[1], pss))
                peak_total[0] = max(peak_total[0], sum(v[0] for v in sample.values()))
                peak_total[1] = max(peak_total[1], sum(v[1] for v in sample.values()))
                time.sleep(0.25)

        before = Dossier.objects.count()
        thread = threading.Thread(target=sampler, daemon=True)
        thread.start()
        result = _wrk(base, script, CONNECTIONS, seconds=DURATION)
        running.clear()
        thread.join()
        created = Dossier.objects.count() - before
        after = _sample(supervisor.pid)
        ready = urllib.request.urlopen(base + "/readyz", timeout=5).status
        metrics = urllib.request.urlopen(base + "/metrics", timeout=5).read().decode()
        counted = sum(
            float(line.rsplit(" ", 1)[1])
            for line in metrics.splitlines()
            if line.startswith("motcua_http_requests_total{") and 'route="/api/v1/dossiers"' in line
        )
    finally:
        supervisor.terminate()
        supervisor.wait(timeout=30)

    def mib(kib: int) -> str:
        return f"{kib / 1024:.0f} MiB"

    print(f"submissions: {created} in {DURATION} s ({created / DURATION:.0f}/s), {CONNECTIONS} connections; "
          f"wrk: {result}")  # fmt: skip
    print("| process | idle RSS / PSS | peak under load RSS / PSS | after RSS / PSS |")
    print("|---|---|---|---|")
    for program in ("granian", "worker", "scheduler"):
        i, p, a = idle.get(program, (0, 0)), peak.get(program, (0, 0)), after.get(program, (0, 0))
        cells = [f"{mib(v[0])} / {mib(v[1])}" for v in (i, p, a)]
        print(f"| {program} | " + " | ".join(cells) + " |")
    idle_total = (sum(v[0] for v in idle.values()), sum(v[1] for v in idle.values()))
    print(f"| **all** | {mib(idle_total[0])} / {mib(idle_total[1])} | {mib(peak_total[0])} / "
          f"{mib(peak_total[1])} | |")  # fmt: skip
    print(f"/readyz after the run: {ready}; /metrics counted {counted:.0f} POST /api/v1/dossiers answers "
          "(every granian worker, PROMETHEUS_MULTIPROC_DIR)")  # fmt: skip
