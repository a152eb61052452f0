"""The gateway (LGSP) served in a thread for tests, against the test database.

    from motcua.testing.gateway import gateway_served

    def test_lookup(db, settings):
        with gateway_served(upstreams={"csdldc": population_sim_url}) as gw:
            token = gw.token()                       # for the "motcua" client, granted every service given
            # or let the code under test use settings.MOTCUA_GATEWAY_URL / _CLIENT_ID / _CLIENT_SECRET,
            # which point at this gateway while the block runs

The server thread uses the test's own database connection (so a plain ``db`` test sees what it wrote and
the transaction rolls back as usual) and handles one request at a time: a provider that calls back through
the gateway while answering waits until the gateway times out (504). Each service in ``upstreams`` is
registered (``personal_data`` for the codes in ``personal``), the client ``motcua`` is granted all of
them; ``gw.client(...)`` adds another client. A throw-away gateway key is made; the log is stamped by the
in-process demo TSA when the test calls ``log_seal_and_stamp`` with a demo PKI in MOTCUA_PKI_DIR.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.db import connections
from django.test.utils import override_settings

from motcua.gateway.handler import GatewayHandler, call_without_signals
from motcua.gateway.keys import gateway_key_create
from motcua.gateway.models import Client, Member, MemberKind, Service
from motcua.gateway.ratelimit import rate_limits_reset
from motcua.gateway.registry import registry_cache_clear
from motcua.gateway.services import (
    client_create,
    grant_add,
    member_upsert,
    service_upsert,
    token_cache_clear,
)

DEFAULT_CLIENT_ID = "motcua"
DEFAULT_CLIENT_SECRET = "test-motcua-lgsp-secret"  # noqa: S105


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class GatewayForTests:
    url: str
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    services: dict[str, Service] = field(default_factory=dict)

    def token(
        self, *, client_id: str | None = None, client_secret: str | None = None, scope: str = ""
    ) -> str:
        data = {
            "grant_type": "client_credentials",
            "client_id": client_id or self.client_id,
            "client_secret": client_secret or self.client_secret,
        }
        if scope:
            data["scope"] = scope
        status, _, body = http_call(
            self.url + "/oauth/token",
            method="POST",
            body=urllib.parse.urlencode(data).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 200:
            raise AssertionError(f"token request failed: {status} {body!r}")
        return str(json.loads(body)["access_token"])

    def call(
        self,
        service: str,
        rest: str = "",
        *,
        token: str,
        method: str = "GET",
        body: bytes = b"",
        message_id: str | None = None,
        purpose: str = "",
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        sent = {"Authorization": f"Bearer {token}", "X-Message-Id": message_id or str(uuid.uuid4())}
        if purpose:
            sent["X-Purpose"] = purpose
        if body:
            sent.setdefault("Content-Type", "application/json")
        sent.update(headers or {})
        return http_call(f"{self.url}/r/{service}/{rest.lstrip('/')}", method=method, body=body, headers=sent)

    def client(
        self,
        client_id: str,
        *,
        member_code: str | None = None,
        services: tuple[str, ...] = (),
        secret: str = "test-secret",  # noqa: S107
        rate_limit_per_second: int = 1000,
        rate_limit_burst: int = 1000,
    ) -> Client:
        member = member_upsert(
            code=member_code or client_id, name=f"Thành viên {client_id}", kind=MemberKind.PROVINCE
        )
        client, _ = client_create(
            member=member,
            client_id=client_id,
            secret=secret,
            rate_limit_per_second=rate_limit_per_second,
            rate_limit_burst=rate_limit_burst,
        )
        for code in services:
            grant_add(client=client, service=self.services[code])
        return client


def http_call(
    url: str,
    *,
    method: str = "GET",
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, dict[str, str], bytes]:
    """A plain HTTP call that returns error statuses instead of raising."""
    request = urllib.request.Request(  # noqa: S310  (tests' local servers)
        url,
        data=body or None,
        method=method,
        headers=headers or {},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


@contextlib.contextmanager
def gateway_served(
    *,
    upstreams: dict[str, str],
    personal: tuple[str, ...] = (),
    timeout_seconds: float = 5.0,
    provider_code: str = "provider",
) -> Iterator[GatewayForTests]:
    """Serves the gateway in a thread on a free port; see the module's docstring."""
    connection = connections["default"]
    connection.ensure_connection()
    key_dir = Path(tempfile.mkdtemp(prefix="motcua-gateway-key-"))
    gateway_key_create(key_dir)
    registry_cache_clear()
    token_cache_clear()
    rate_limits_reset()
    provider = Member.objects.filter(code=provider_code).first() or member_upsert(
        code=provider_code, name="Hệ thống cung cấp (thử nghiệm)", kind=MemberKind.NATIONAL
    )
    ours = member_upsert(code="motcua", name="Một Cửa (thử nghiệm)", kind=MemberKind.PROVINCE)
    services = {
        code: service_upsert(
            code=code,
            provider=provider,
            name=f"Dịch vụ {code}",
            upstream_url=url,
            personal_data=code in personal,
            timeout_seconds=timeout_seconds,
        )
        for code, url in upstreams.items()
    }
    client, _ = client_create(
        member=ours,
        client_id=DEFAULT_CLIENT_ID,
        secret=DEFAULT_CLIENT_SECRET,
        rate_limit_per_second=1000,
        rate_limit_burst=1000,
    )
    for service in services.values():
        grant_add(client=client, service=service)

    handler = GatewayHandler()
    lock = threading.Lock()

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        with lock:  # one request at a time: the test's connection is shared
            connections["default"] = connection
            return call_without_signals(handler, environ, start_response)

    server: WSGIServer = make_server("127.0.0.1", 0, app, handler_class=_QuietHandler)
    connection.inc_thread_sharing()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with override_settings(
            MOTCUA_GATEWAY_URL=url,
            MOTCUA_GATEWAY_CLIENT_ID=DEFAULT_CLIENT_ID,
            MOTCUA_GATEWAY_CLIENT_SECRET=DEFAULT_CLIENT_SECRET,
            MOTCUA_GATEWAY_KEY_DIR=str(key_dir),
        ):
            yield GatewayForTests(url=url, services=services)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        connection.dec_thread_sharing()
        registry_cache_clear()
        token_cache_clear()


@dataclass
class EchoUpstream:
    """A provider that answers ``{"method", "path", "query", "headers", "body"}``; ``/fail`` answers 500,
    ``/hang`` waits until the test ends (for timeouts); ``hits`` counts the calls."""

    url: str
    hits: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


@contextlib.contextmanager
def echo_upstream() -> Iterator[EchoUpstream]:
    upstream = EchoUpstream(url="")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body are two writes (no 40 ms delayed-ACK stall)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            upstream.hits.append(self.path)
            path, _, query = self.path.partition("?")
            if path.endswith("/hang"):
                upstream.release.wait(30)
            status = 500 if path.endswith("/fail") else 200
            data = json.dumps(
                {
                    "method": self.command,
                    "path": path,
                    "query": query,
                    "headers": {k: v for k, v in self.headers.items() if k.lower().startswith("x-")},
                    "body": body.decode("utf-8", "replace"),
                },
                ensure_ascii=False,
            ).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    upstream.url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        yield upstream
    finally:
        upstream.release.set()
        server.shutdown()
        server.server_close()


def closed_port_url() -> str:
    """A local URL where nothing listens (connection refused)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"
