"""Messages/s through the data-sharing gateway (LGSP): `motcua gateway serve` (granian, WSGI) between wrk
and a minimal upstream, every message checked (token, grant, rate), forwarded, logged with its bodies,
signed (Ed25519), chained and time-stamped in batches (RFC 3161, in-process demo TSA) by the serve
process's periodic thread every second — all of it on the same 2 cores, against the database the runner
chose (PostgreSQL under `make bench`)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.stats import wrk_figures

DURATION = os.environ.get("MOTCUA_BENCH_SECONDS", "10")
WORKERS = os.environ.get("MOTCUA_BENCH_GATEWAY_WORKERS", "2")
THREADS = os.environ.get("MOTCUA_BENCH_GATEWAY_THREADS", "2")
CONNECTIONS = int(os.environ.get("MOTCUA_BENCH_GATEWAY_CONNECTIONS", "8"))

UPSTREAM = r"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = b'{"maHoSo": "000.00.09.H99-261202-0001", "trangThai": "2"}'

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    def log_message(self, *a): pass
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""

LUA = r"""
local counter = 0
local thread_no = 0
setup = function(thread) thread:set("tid", thread_no); thread_no = thread_no + 1 end
init = function(args) math.randomseed(os.time() + tid * 7919) end
request = function()
  counter = counter + 1
  local id = string.format("bench-%d-%d-%d", tid, counter, math.random(1, 1000000000))
  return wrk.format("POST", "/r/bench/DongBoHoSoMC", {
    ["Authorization"] = "Bearer __TOKEN__",
    ["X-Message-Id"] = id,
    ["Content-Type"] = "application/json",
  }, '{"maHoSo": "000.00.09.H99-261202-0001", "trangThai": "2", "ngayTiepNhan": "20261202080000"}')
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def _wrk(url: str, script: Path, connections: int, seconds: str) -> dict[str, str]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
        timeout=int(seconds) + 60,
    ).stdout
    return wrk_figures(out)


def main() -> None:
    from django.conf import settings

    from motcua.gateway.keys import gateway_key_create
    from motcua.gateway.models import MessageLog, StampBatch
    from motcua.gateway.services import (
        chain_verify,
        client_create,
        grant_add,
        log_seal_and_stamp,
        member_upsert,
        service_upsert,
    )
    from motcua.signatures.pki import pki_demo_build, pki_write

    work = Path(tempfile.mkdtemp(prefix="motcua-bench-gateway-"))
    pki = work / "pki"
    pki_write(pki_demo_build(people={}), pki)
    gateway_key_create(pki)
    settings.MOTCUA_PKI_DIR = str(pki)
    upstream_port, gateway_port = _free_port(), _free_port()
    provider = member_upsert(code="dvcqg", name="Cổng DVCQG (bench)")
    ours = member_upsert(code="motcua", name="Một Cửa (bench)")
    service = service_upsert(
        code="bench", provider=provider, name="bench", upstream_url=f"http://127.0.0.1:{upstream_port}/"
    )
    client, secret = client_create(
        member=ours, client_id="bench", rate_limit_per_second=100000, rate_limit_burst=100000
    )
    grant_add(client=client, service=service)

    env = {
        **os.environ,
        "MOTCUA_PKI_DIR": str(pki),
        "MOTCUA_TSA_URL": "",
        "MOTCUA_GATEWAY_STAMP_INTERVAL": "1",
    }
    upstream = subprocess.Popen([sys.executable, "-c", UPSTREAM, str(upstream_port)])
    motcua = str(Path(sys.executable).parent / "motcua")
    gateway = subprocess.Popen(
        [motcua, "gateway", "serve", "--port", str(gateway_port), "--workers", WORKERS, "--threads", THREADS],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{gateway_port}"
    try:
        _wait(base + "/healthz")
        import json
        import urllib.parse

        form = urllib.parse.urlencode(
            {"grant_type": "client_credentials", "client_id": "bench", "client_secret": secret}
        ).encode()
        token = json.loads(urllib.request.urlopen(base + "/oauth/token", data=form).read())["access_token"]
        script = work / "gateway.lua"
        script.write_text(LUA.replace("__TOKEN__", token))
        _wrk(base, script, CONNECTIONS, "3")  # warm-up: connections, caches, first batches
        before = MessageLog.objects.count()
        figures = _wrk(base, script, CONNECTIONS, DURATION)
        time.sleep(2.5)  # the serve process's last periodic run (1 s interval) chains and stamps the rest
        logged = MessageLog.objects.count() - before
        # The same load straight at the upstream: what the machine gives without the gateway in between.
        direct = _wrk(f"http://127.0.0.1:{upstream_port}", script, CONNECTIONS, "5")
    finally:
        gateway.terminate()
        upstream.terminate()
        gateway.wait(timeout=30)
        upstream.wait(timeout=10)
    rest = log_seal_and_stamp()
    batches = StampBatch.objects.count()
    stamped = StampBatch.objects.filter(stamped_at__isnull=False).count()
    started = time.perf_counter()
    verified = chain_verify()
    took = time.perf_counter() - started
    print(
        f"messages through the gateway (granian WSGI, {WORKERS} workers × {THREADS} threads, "
        f"wrk -t2 -c{CONNECTIONS} -d{DURATION}s, POST ~90 B JSON, upstream answering ~60 B):\n"
        f"    {float(figures['rps']):,.0f} msg/s, p50 {figures['p50']}, p99 {figures['p99']}, "
        f"{figures['requests']} requests, non-2xx {figures['non2xx']}"
    )
    print(
        f"    direct to the upstream, same load (no gateway): {float(direct['rps']):,.0f} req/s, "
        f"p50 {direct['p50']}, p99 {direct['p99']}"
    )
    print(
        f"log: {logged:,} entries written in the run; {batches} batches ({stamped} time-stamped) so far, "
        f"{rest['entries']} entries left for the final stamping run"
    )
    print(
        f"verify-chain over all {MessageLog.objects.count():,} entries: "
        f"{'intact' if verified.intact else 'PROBLEMS'} in {took:.1f} s"
    )
