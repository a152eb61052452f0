"""Scale-out on one machine (issue 15, point 5; docs/scaling.md), run by ``scripts/scale-demo``.

It starts, under a temporary folder and on free ports in 9100–9199 only:

- PostgreSQL 15, a primary and a streaming replica made with ``pg_basebackup -R`` (both with
  pg_stat_statements, so we can show which server ran a query);
- PgBouncer in transaction mode in front of the primary;
- moto's S3-compatible server (as the object-storage tests) with the bucket;
- two web nodes (granian, the same environment: database through PgBouncer, the replica for aggregate
  statistics, files in the bucket) and one background worker;
- HAProxy in front of the web nodes: round robin, health check on /readyz.

Then (``demo``, the default) it shows, one PASS/FAIL line each, exit status 1 if any failed: a dossier
submitted on node A is read on node B; its file is in the bucket; the statistics are served by the replica;
HAProxy shares requests between the nodes; with node A killed, requests through HAProxy still succeed; the
worker drains the tasks. ``--bench`` instead measures online submissions/s through HAProxy with one web node
and with two (the same granian workers per node); ``--hold`` starts everything and waits for Ctrl-C.
Everything it started is stopped and its folder removed on exit, Ctrl-C and SIGTERM included
(``MOTCUA_SCALE_KEEP=1`` keeps the folder with every log).

``python -m bench scale`` runs ``--bench`` as a scenario of ``make bench``.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))
PORTS = range(9100, 9200)  # the ports this demo may use on the shared machine
BUCKET = "motcua-scale"
PROCEDURE = "1.004873.000.00.00.H99"  # as bench/http_dossiers.py: one required component, fully online
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
# The statistics selector's count by status (dossiers/selectors.py: dossier_statistics), as
# pg_stat_statements normalises it.
STATISTICS_QUERY = '%COUNT("dossiers_dossier"."id") AS "n"%'

SEED = """
import json
from django_otp.plugins.otp_totp.models import TOTPDevice
from motcua.accounts.demo import load_demo_users
from motcua.accounts.models import User
from motcua.agencies.demo import load_demo_agencies
from motcua.calendar.services import calendar_seed
from motcua.catalog.demo import load_demo_catalogue
from motcua.catalog.models import ProcedureVersion
from motcua.core.auth import api_token_create

load_demo_agencies()
calendar_seed(years=range(2024, 2028))
load_demo_catalogue()
load_demo_users()
version = ProcedureVersion.objects.get(procedure__local_code=%(procedure)r)
# A staff token works only while its owner has a confirmed authenticator (core/auth.py).
TOTPDevice.objects.create(user=User.objects.get(username="ioc"), name="scale-demo", confirmed=True)
tokens = {u: api_token_create(user=User.objects.get(username=u), name="scale-demo")[1] for u in ("an", "ioc")}
component = version.components.order_by("order").first().pk
print("SEED " + json.dumps({"component": component, **tokens}))
"""

# Asked on a web node's own settings: which server each alias reaches (the router's connections).
WHICH_SERVER = """
import json
from django.db import connections
from motcua.core.dbrouter import read_only_alias
answer = {}
for alias in ("default", read_only_alias()):
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_setting('port')")
        answer[alias] = cursor.fetchone()
print("WHICH " + json.dumps(answer))
"""


class Failed(Exception):
    pass


def _say(message: str) -> None:
    print(message, flush=True)


@dataclass
class Cluster:
    """The processes of the demo; ``stop()`` ends all of them and removes the folder."""

    nodes: int = 2
    web_workers: int = 1
    web_threads: int = 2
    # The background worker: off for the throughput runs, which measure the web tier alone.
    worker: bool = True
    # "s3" (moto) or "filesystem": one folder shared by the nodes, as an NFS mount would be.
    storage: str = "s3"
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="motcua-scale.")))
    ports: dict[str, int] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    pg_started: list[Path] = field(default_factory=list)
    seed: dict[str, Any] = field(default_factory=dict)

    # --- helpers ---------------------------------------------------------------------------------
    def _as_pg(self) -> list[str]:
        # initdb and PgBouncer refuse to run as root: the `postgres` system user, as scripts/with-postgres.
        if os.getuid() != 0:
            return []
        if subprocess.run(["id", "-u", "postgres"], capture_output=True, check=False).returncode:
            subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
        return ["runuser", "-u", "postgres", "--"]

    def _pg_dir(self, name: str) -> Path:
        path = self.root / name
        path.mkdir(mode=0o700)
        if os.getuid() == 0:
            shutil.chown(path, "postgres", "postgres")
        return path

    def _allocate_ports(self, names: list[str]) -> None:
        taken = set(self.ports.values())
        for name in names:
            for port in PORTS:
                if port in taken:
                    continue
                with socket.socket() as s:
                    try:
                        s.bind(("127.0.0.1", port))
                    except OSError:
                        continue
                self.ports[name] = port
                taken.add(port)
                break
            else:
                raise Failed(f"no free port left in {PORTS.start}–{PORTS.stop - 1}")

    def _start(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> None:
        log = open(self.root / f"{name}.log", "wb")  # noqa: SIM115 — the process keeps it
        # Its own session: the whole process group (granian's workers with their master) is signalled.
        self.procs[name] = subprocess.Popen(
            argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=REPO
        )

    def _wait_port(self, name: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            proc = self.procs.get(name)
            if proc is not None and proc.poll() is not None:
                raise Failed(f"{name} exited: {self.log_tail(name)}")
            with socket.socket() as s, contextlib.suppress(OSError):
                s.settimeout(0.5)
                s.connect(("127.0.0.1", self.ports[name]))
                return
            time.sleep(0.2)
        raise Failed(f"{name} did not listen on {self.ports[name]}: {self.log_tail(name)}")

    def log_tail(self, name: str) -> str:
        path = self.root / f"{name}.log"
        return path.read_text(errors="replace")[-1500:] if path.exists() else ""

    def sql(self, port_name: str, query: str) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.ports[port_name], user="motcua", dbname="motcua", autocommit=True
        ) as conn:
            cursor = conn.execute(query)
            return list(cursor.fetchall()) if cursor.description else []

    def env(self) -> dict[str, str]:
        """The one environment of every node and the worker."""
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "DJANGO_"))}
        if self.storage == "filesystem":
            clean.update(MOTCUA_STORAGE="filesystem", MOTCUA_MEDIA_ROOT=str(self.root / "shared-media"))
        return {
            **clean,
            "DJANGO_SETTINGS_MODULE": "motcua.config.settings",
            "MOTCUA_VAR_DIR": str(self.root / "var"),
            "MOTCUA_DATABASE_URL": f"postgres://motcua@127.0.0.1:{self.ports['pgbouncer']}/motcua",
            "MOTCUA_DB_TRANSACTION_POOLER": "1",
            "MOTCUA_DATABASE_REPLICA_URL": f"postgres://motcua@127.0.0.1:{self.ports['replica']}/motcua",
            "MOTCUA_STORAGE": "s3",
            **{k: v for k, v in clean.items() if k.startswith("MOTCUA_")},
            "MOTCUA_S3_BUCKET": BUCKET,
            "MOTCUA_S3_ENDPOINT_URL": f"http://127.0.0.1:{self.ports['s3']}",
            "MOTCUA_S3_REGION": "us-east-1",
            "MOTCUA_S3_ACCESS_KEY_ID": "test",
            "MOTCUA_S3_SECRET_ACCESS_KEY": "test",
            "MOTCUA_LOG_LEVEL": "WARNING",
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    # --- start -------------------------------------------------------------------------------------
    def start(self) -> None:
        os.chmod(self.root, 0o755)  # the postgres user reaches its folders inside
        names = ["primary", "replica", "pgbouncer", "s3", "haproxy"]
        names += [f"web-{chr(ord('a') + i)}" for i in range(self.nodes)]
        self._allocate_ports(names)
        started = time.monotonic()
        self._start_postgres()
        self._start_pgbouncer()
        self._start_s3()
        _say(f"(primary, replica, PgBouncer and S3 up in {time.monotonic() - started:.0f} s)")
        self._migrate_and_seed()
        _say(f"(migrated and seeded at {time.monotonic() - started:.0f} s)")
        for i in range(self.nodes):
            self._start_web(f"web-{chr(ord('a') + i)}")
        if self.worker:
            worker = [str(BIN / "motcua"), "worker", "--queue-name", "*", "--interval", "1"]
            self._start("worker", worker, self.env())
        for i in range(self.nodes):
            self._wait_port(f"web-{chr(ord('a') + i)}", 120)
        self._start_haproxy()
        self._wait_backends_up()
        _say(f"(started in {time.monotonic() - started:.0f} s under {self.root}; ports {self.ports})")

    def _start_postgres(self) -> None:
        as_pg = self._as_pg()
        primary = self._pg_dir("primary")
        self._pg_dir("sockets")  # outside the data folders, which pg_basebackup copies
        subprocess.run(
            [
                *as_pg,
                str(PGBIN / "initdb"),
                "-D",
                str(primary),
                "-U",
                "motcua",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        # The same settings on both; the replica gets them from the base backup's postgresql.conf.
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(
                "listen_addresses = '127.0.0.1'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "max_connections = 200\nshared_preload_libraries = 'pg_stat_statements'\n"
                "pg_stat_statements.track = all\nwal_level = replica\nmax_wal_senders = 5\n"
                "hot_standby = on\n"
            )
        self._pg_ctl_start(primary, "primary")
        subprocess.run(
            [
                str(PGBIN / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.ports["primary"]),
                "-U",
                "motcua",
                "motcua",
            ],
            check=True,
        )
        self.sql("primary", "CREATE EXTENSION pg_stat_statements")
        replica = self._pg_dir("replica")
        # -R writes standby.signal and primary_conninfo: the copy starts as a streaming replica.
        subprocess.run(
            [
                *as_pg,
                str(PGBIN / "pg_basebackup"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.ports["primary"]),
                "-U",
                "motcua",
                "-D",
                str(replica),
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
            ],
            check=True,
        )
        self._pg_ctl_start(replica, "replica")
        deadline = time.monotonic() + 30
        while not self.sql("primary", "SELECT 1 FROM pg_stat_replication WHERE state = 'streaming'"):
            if time.monotonic() > deadline:
                raise Failed("the replica does not stream from the primary")
            time.sleep(0.2)

    def _pg_ctl_start(self, data: Path, name: str) -> None:
        subprocess.run(
            [
                *self._as_pg(),
                str(PGBIN / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(data / "server.log"),
                "-w",
                "-o",
                f"-p {self.ports[name]} -k {self.root}/sockets",
                "start",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.pg_started.append(data)

    def _start_pgbouncer(self) -> None:
        folder = self._pg_dir("pgbouncer")
        (folder / "users.txt").write_text('"motcua" ""\n')
        (folder / "pgbouncer.ini").write_text(
            f"[databases]\nmotcua = host=127.0.0.1 port={self.ports['primary']} dbname=motcua\n\n"
            f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {self.ports['pgbouncer']}\n"
            f"unix_socket_dir =\nauth_type = trust\nauth_file = {folder}/users.txt\n"
            # Transaction mode: a server connection serves one transaction, then the next client's.
            "pool_mode = transaction\nmax_client_conn = 1000\ndefault_pool_size = 20\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
            f"logfile = {folder}/pgbouncer.log\n"
        )
        if os.getuid() == 0:
            for path in folder.iterdir():
                shutil.chown(path, "postgres", "postgres")
        self._start("pgbouncer", [*self._as_pg(), "/usr/sbin/pgbouncer", str(folder / "pgbouncer.ini")])
        self._wait_port("pgbouncer")

    def _start_s3(self) -> None:
        # moto's server mode, as the object-storage tests (operations/tests/test_object_storage.py).
        self._start("s3", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.ports["s3"])])
        self._wait_port("s3")
        self.s3().create_bucket(Bucket=BUCKET)

    def s3(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.ports['s3']}",
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    def _migrate_and_seed(self) -> None:
        # Migrations straight on the primary (the router keeps them off the replica).
        env = {
            **self.env(),
            "MOTCUA_DATABASE_URL": f"postgres://motcua@127.0.0.1:{self.ports['primary']}/motcua",
        }
        subprocess.run([str(BIN / "motcua"), "migrate", "--noinput", "-v", "0"], env=env, check=True)
        out = subprocess.run(
            [str(BIN / "motcua"), "shell", "-c", SEED % {"procedure": PROCEDURE}],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        self.seed = json.loads(out.split("SEED ", 1)[1])

    def _start_web(self, name: str) -> None:
        self._start(
            name,
            [
                str(BIN / "granian"),
                "--interface",
                "wsgi",
                "motcua.config.wsgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.ports[name]),
                "--workers",
                str(self.web_workers),
                "--blocking-threads",
                str(self.web_threads),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            self.env(),
        )

    def _start_haproxy(self) -> None:
        servers = "".join(
            f"    server {name} 127.0.0.1:{self.ports[name]} check inter 2s fall 3 rise 2\n"
            for name in self.ports
            if name.startswith("web-")
        )
        conf = self.root / "haproxy.cfg"
        conf.write_text(
            f"global\n    maxconn 2000\n    stats socket {self.root}/haproxy.sock mode 600 level admin\n"
            # One line per request in haproxy.log (MOTCUA_SCALE_KEEP=1 keeps it): which node, how it ended.
            "    log stdout format raw local0\n\n"
            "defaults\n    mode http\n    log global\n    option httplog\n    timeout connect 2s\n"
            "    timeout client 60s\n    timeout server 60s\n"
            # /readyz writes to the bucket and queries the database: slow on a loaded machine, not dead.
            "    timeout check 5s\n"
            # A request whose connection is refused (the node is gone) goes to another node, and so does
            # one that a dying node dropped without an answer: submissions carry an Idempotency-Key, so a
            # retry of one the node had already saved returns that dossier, never a second one. (HAProxy
            # retries a request only when it holds all of it: the body is buffered first.)
            "    retries 3\n    option redispatch 1\n"
            "    retry-on conn-failure empty-response response-timeout\n    option http-buffer-request\n\n"
            f"frontend motcua\n    bind 127.0.0.1:{self.ports['haproxy']}\n    default_backend web\n\n"
            "backend web\n    balance roundrobin\n    option httpchk\n"
            "    http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host 127.0.0.1\n"
            "    http-check expect status 200\n" + servers
        )
        self._start("haproxy", ["/usr/sbin/haproxy", "-db", "-f", str(conf)])
        self._wait_port("haproxy")

    def haproxy(self, command: str) -> str:
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(self.root / "haproxy.sock"))
            s.sendall(command.encode() + b"\n")
            chunks = []
            while chunk := s.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def backend_states(self, column: str = "status") -> dict[str, str]:
        """HAProxy's view of each web node: its status (UP, DOWN, MAINT …) or another column of
        ``show stat`` (stot: requests sent to it so far)."""
        lines = self.haproxy("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        states = {}
        for line in lines[1:]:
            row = dict(zip(header, line.split(","), strict=False))
            if row.get("pxname") == "web" and row.get("svname", "").startswith("web-"):
                states[row["svname"]] = row[column]
        return states

    def _wait_backends_up(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            states = self.backend_states()
            if states and all(s == "UP" for s in states.values()):
                return
            time.sleep(0.5)
        raise Failed(f"HAProxy does not see every node up: {self.backend_states()}")

    # --- stop ----------------------------------------------------------------------------------------
    def stop(self) -> None:
        for proc in reversed(self.procs.values()):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        for data in reversed(self.pg_started):
            subprocess.run(
                [*self._as_pg(), str(PGBIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        if os.environ.get("MOTCUA_SCALE_KEEP"):
            _say(f"(logs and data kept in {self.root})")
        else:
            shutil.rmtree(self.root, ignore_errors=True)


# --- HTTP ------------------------------------------------------------------------------------------------
def request(
    port: int, method: str, path: str, token: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            method, path, body=body or None, headers={"Authorization": f"Bearer {token}", **(headers or {})}
        )
        response = conn.getresponse()
        raw = response.read()
    finally:
        conn.close()
    try:
        return response.status, json.loads(raw)
    except ValueError:
        return response.status, raw[:200]


def submit(port: int, cluster: Cluster) -> tuple[int, Any]:
    data = {
        "procedure": PROCEDURE,
        "applicant": {"name": "Nguyễn Văn An", "id_number": "001090012345", "phone": "0912345678"},
    }
    boundary = "motcuaSCALE"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="data"\r\n\r\n{json.dumps(data)}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="component_{cluster.seed["component"]}"; '
            'filename="to-khai.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        + PDF
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return request(
        port,
        "POST",
        "/api/v1/dossiers",
        cluster.seed["an"],
        body,
        {"Content-Type": f"multipart/form-data; boundary={boundary}", "Idempotency-Key": uuid.uuid4().hex},
    )


# --- the demonstration -------------------------------------------------------------------------------
class Checks:
    def __init__(self) -> None:
        self.failed = 0

    def check(self, ok: bool, what: str, detail: str = "") -> bool:
        self.failed += not ok
        _say(f"{'PASS' if ok else 'FAIL'}  {what}" + (f" — {detail}" if detail else ""))
        return ok


def demo(cluster: Cluster) -> int:
    checks = Checks()
    a, b, lb = cluster.ports["web-a"], cluster.ports["web-b"], cluster.ports["haproxy"]
    citizen, ioc = cluster.seed["an"], cluster.seed["ioc"]

    # 1. A submission on node A is read on node B (one database, through PgBouncer, behind both).
    status, dossier = submit(a, cluster)
    code = dossier.get("code", "") if isinstance(dossier, dict) else ""
    checks.check(status == 201 and bool(code), "submission on node A", f"HTTP {status}, dossier {code}")
    status, seen = request(b, "GET", f"/api/v1/dossiers/{code}", citizen)
    checks.check(
        status == 200 and isinstance(seen, dict) and seen.get("code") == code,
        "the dossier submitted on node A is read on node B",
        f"HTTP {status}, status {seen.get('status') if isinstance(seen, dict) else seen!r}",
    )

    # 2. Its file is in the bucket, byte for byte (no node keeps files of its own).
    rows = cluster.sql(
        "primary",
        "SELECT f.file, f.sha256 FROM dossiers_dossierfile f "
        "JOIN dossiers_dossiercomponent c ON c.id = f.component_id "
        f"JOIN dossiers_dossier d ON d.id = c.dossier_id WHERE d.code = '{code}'",
    )
    keys = {o["Key"] for o in cluster.s3().list_objects_v2(Bucket=BUCKET).get("Contents", [])}
    in_bucket = [name for name, _ in rows if name in keys]
    same = all(
        hashlib.sha256(cluster.s3().get_object(Bucket=BUCKET, Key=name)["Body"].read()).hexdigest() == sha
        for name, sha in rows
        if name in keys
    )
    checks.check(
        bool(rows) and len(in_bucket) == len(rows) and same,
        "the dossier's files are in the S3 bucket with their SHA-256",
        f"{len(in_bucket)}/{len(rows)} files, e.g. s3://{BUCKET}/{rows[0][0] if rows else '?'}",
    )

    # 3. The statistics are read on the replica: pg_stat_statements counts the statistics query on the
    # replica and not on the primary, and the replica's figures include the new dossier (streamed).
    def runs(server: str) -> int:
        found = cluster.sql(
            server,
            f"SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query LIKE '{STATISTICS_QUERY}'",
        )
        return int(found[0][0])

    before = {server: runs(server) for server in ("primary", "replica")}
    total, deadline = -1, time.monotonic() + 15
    while time.monotonic() < deadline:
        status, stats = request(lb, "GET", "/api/v1/statistics", ioc)
        total = stats.get("total", -1) if status == 200 and isinstance(stats, dict) else -1
        if total >= 1:
            break
        time.sleep(0.3)
    after = {server: runs(server) for server in ("primary", "replica")}
    checks.check(
        total >= 1 and after["replica"] > before["replica"] and after["primary"] == before["primary"],
        "the statistics (GET /api/v1/statistics through HAProxy) are read on the replica",
        f"total {total}; statistics queries run on the replica {after['replica'] - before['replica']}, "
        f"on the primary {after['primary'] - before['primary']}",
    )
    out = subprocess.run(
        [str(BIN / "motcua"), "shell", "-c", WHICH_SERVER],
        env=cluster.env(),
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    which = json.loads(out.split("WHICH ", 1)[1]) if "WHICH " in out else {}
    checks.check(
        which.get("replica", [False])[0] is True and which.get("default", [True])[0] is False,
        "a node's router reaches the replica for read_only_alias() and the primary (via PgBouncer) otherwise",
        f"pg_is_in_recovery(), port: {which}",
    )
    for state, lag in cluster.sql(
        "primary",
        "SELECT state, coalesce(extract(epoch FROM replay_lag) * 1000, 0) FROM pg_stat_replication",
    ):
        _say(f"      (the replica is {state}, replay lag {float(lag):.1f} ms)")

    # 4. HAProxy shares the requests between the two nodes (round robin).
    sent_before = cluster.backend_states("stot")
    replies = [request(lb, "GET", f"/api/v1/dossiers/{code}", citizen)[0] for _ in range(10)]
    sent = {k: int(v) - int(sent_before.get(k, 0)) for k, v in cluster.backend_states("stot").items()}
    checks.check(
        replies.count(200) == 10 and len(sent) == 2 and min(sent.values()) >= 4,
        "HAProxy shares requests between the two nodes (round robin)",
        f"10 reads: {sent}",
    )

    # 5. Node A dies (SIGKILL to all its processes): everything through HAProxy keeps working.
    os.killpg(cluster.procs["web-a"].pid, signal.SIGKILL)
    cluster.procs["web-a"].wait(timeout=10)
    answers: list[int] = []
    for _ in range(20):
        status, _created = submit(lb, cluster)
        answers.append(status if status != 201 else 200)
        status, _ = request(lb, "GET", f"/api/v1/dossiers/{code}", citizen)
        answers.append(status)
    good = answers.count(200)
    others = sorted({a for a in answers if a != 200})
    checks.check(
        good == len(answers),
        "node A killed: submissions and reads through HAProxy still succeed",
        f"{good}/{len(answers)} answered 2xx (20 submissions, 20 reads, right after the kill)"
        + (f"; other answers: {others}" if others else ""),
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and cluster.backend_states().get("web-a") != "DOWN":
        time.sleep(0.3)
    states = cluster.backend_states()
    checks.check(
        states.get("web-a") == "DOWN" and states.get("web-b") == "UP",
        "HAProxy's health check (/readyz) took node A out of the rotation",
        str(states),
    )

    # 6. The worker (one for both nodes) ran the tasks the submissions queued.
    deadline, waiting, done = time.monotonic() + 30, -1, -1
    while time.monotonic() < deadline:
        # Due now (READY with no later run_after) or running, and finished well.
        waiting, done = cluster.sql(
            "primary",
            "SELECT count(*) FILTER (WHERE status = 'RUNNING' OR status = 'READY' AND "
            "(run_after IS NULL OR run_after <= now())), count(*) FILTER (WHERE status = 'SUCCESSFUL') "
            "FROM django_tasks_database_dbtaskresult",
        )[0]
        if waiting == 0:
            break
        time.sleep(0.5)
    checks.check(
        waiting == 0 and done > 0, "the one worker ran the queued tasks", f"done {done}, waiting {waiting}"
    )

    _say("all checks passed" if not checks.failed else f"{checks.failed} check(s) failed")
    return 1 if checks.failed else 0


# --- the benchmark -------------------------------------------------------------------------------------
def bench(cluster: Cluster) -> None:
    from bench import http_dossiers as hd

    body = (
        hd._multipart(int(cluster.seed["component"]))
        .replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\r", "\\r")
        .replace("\n", "\\n")
    )
    url = f"http://127.0.0.1:{cluster.ports['haproxy']}"

    def run(label: str, seconds: str | int = hd.DURATION) -> None:
        script = cluster.root / f"submit-{uuid.uuid4().hex}.lua"
        lua = hd.SUBMIT_LUA.replace("__TOKEN__", cluster.seed["an"]).replace("__RUN__", uuid.uuid4().hex)
        script.write_text(f'body = "{body}"\n' + lua, encoding="utf-8")
        figures = hd._wrk(url, script, hd.CONNECTIONS, seconds=seconds)
        if label:
            hd._report(
                f"online submissions through HAProxy, {label}",
                f"as fast as possible, {hd.CONNECTIONS} connections",
                figures,
                # The machine is shared: how busy it was (runnable processes, 1-minute average).
                f"; load average {os.getloadavg()[0]:.1f}",
            )

    run("", 3)  # warm-up: every worker loaded and connected
    per_node = f"{cluster.web_workers} granian workers × {cluster.web_threads} threads per node"
    for nodes in ("one web node", "two web nodes", "one web node"):
        if nodes == "one web node":
            cluster.haproxy("disable server web/web-b")
        else:
            cluster.haproxy("enable server web/web-b")
            cluster._wait_backends_up()
        run(f"{nodes} ({per_node})")
    store = "moto S3" if cluster.storage == "s3" else "a folder shared by the nodes (no S3)"
    _say(
        f"({hd.DURATION} s per run; files in {store}; PgBouncer, primary, replica, the store and wrk on the "
        "same 2 cores; no background worker)"
    )


def _on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def run(mode: str) -> int:
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    if mode == "bench":
        cluster = Cluster(
            nodes=2,
            web_workers=int(os.environ.get("MOTCUA_BENCH_WORKERS", "2")),
            web_threads=int(os.environ.get("MOTCUA_BENCH_THREADS", "2")),
            worker=False,
            storage=os.environ.get("MOTCUA_SCALE_STORAGE", "s3"),
        )
    else:
        cluster = Cluster()
    try:
        cluster.start()
        if mode == "bench":
            bench(cluster)
            return 0
        if mode == "hold":
            # Left running for a look around (HAProxy's port above; tokens for the citizen an and the
            # IOC viewer below), until Ctrl-C.
            _say(f"(holding; tokens {cluster.seed}; Ctrl-C stops everything)")
            while True:
                time.sleep(3600)
        return demo(cluster)
    except Failed as error:
        _say(f"FAIL  {error}")
        return 1
    finally:
        cluster.stop()


def main() -> None:
    """The ``make bench`` scenario: its own cluster, in a child process (its own settings)."""
    subprocess.run([sys.executable, "-m", "bench.scale", "--bench"], cwd=REPO, check=True)


if __name__ == "__main__":
    modes = {"--bench": "bench", "--hold": "hold"}
    sys.exit(run(next((modes[a] for a in sys.argv[1:] if a in modes), "demo")))
