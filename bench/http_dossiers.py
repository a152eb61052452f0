"""Online submissions/s and public status lookups/s over HTTP: granian (WSGI, 2 workers) in front of the
database the runner chose (PostgreSQL under `make bench`), loaded by wrk on the same 2 cores."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

DURATION = os.environ.get("MOTCUA_BENCH_SECONDS", "10")
WORKERS = os.environ.get("MOTCUA_BENCH_WORKERS", "4")
CONNECTIONS = int(os.environ.get("MOTCUA_BENCH_CONNECTIONS", "16"))
PROCEDURE = "1.004873.000.00.00.H99"  # marital-status certificate: one required component, full online
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

SUBMIT_LUA = r"""
local counter = 0
local thread_no = 0
function setup(thread) thread:set("tid", thread_no); thread_no = thread_no + 1 end
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
local codes = {__CODES__}
request = function()
  local code = codes[math.random(1, #codes)]
  return wrk.format("GET", "/api/v1/dossiers/" .. code .. "/status?factor=5678")
end
"""


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


def _wrk(url: str, script: Path, connections: int, seconds: str | int = DURATION) -> dict[str, str]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
        timeout=int(seconds) + 60,
    ).stdout
    figures = {
        "rps": re.search(r"Requests/sec:\s+([\d.]+)", out),
        "p50": re.search(r"\s50%\s+(\S+)", out),
        "p99": re.search(r"\s99%\s+(\S+)", out),
        "non2xx": re.search(r"Non-2xx or 3xx responses: (\d+)", out),
        "requests": re.search(r"(\d+) requests in", out),
        "socket_errors": re.search(r"Socket errors: (.*)", out),
    }
    return {k: (m.group(1).strip() if m else "0") for k, m in figures.items()}


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
        for script in (warm_lua, submit_lua):
            run_lua = SUBMIT_LUA.replace("__TOKEN__", token).replace("__RUN__", uuid.uuid4().hex)
            script.write_text(f'body = "{body}"\n' + run_lua, encoding="utf-8")
        # Warm-up: every worker has loaded its code and opened its database connection before we measure.
        _wrk(base, warm_lua, 16, seconds=3)
        before = Dossier.objects.count()
        sub = _wrk(base, submit_lua, CONNECTIONS)
        created = Dossier.objects.count() - before
        print(
            f"online submissions (POST /api/v1/dossiers, multipart with a PDF, token auth, Idempotency-Key): "
            f"{float(sub['rps']):,.0f} req/s, p50 {sub['p50']}, p99 {sub['p99']}, "
            f"{sub['requests']} requests, non-2xx {sub['non2xx']}, socket errors {sub['socket_errors']}, "
            f"dossiers created {created} "
            f"({CONNECTIONS} connections, {WORKERS} granian workers, {DURATION} s)"
        )
        codes = list(Dossier.objects.exclude(code=None).values_list("code", flat=True)[:2000])
        lookup_lua = workdir / "lookup.lua"
        lookup_lua.write_text(
            LOOKUP_LUA.replace("__CODES__", ",".join(f'"{c}"' for c in codes)), encoding="utf-8"
        )
        look = _wrk(base, lookup_lua, CONNECTIONS)
        print(
            f"public status lookups (GET /api/v1/dossiers/{{code}}/status?factor=…): "
            f"{float(look['rps']):,.0f} req/s, p50 {look['p50']}, p99 {look['p99']}, "
            f"{look['requests']} requests, non-2xx {look['non2xx']}, socket errors {look['socket_errors']} "
            f"({CONNECTIONS} connections)"
        )
    finally:
        server.terminate()
        server.wait(timeout=20)
