"""A local RFC 3161 time-stamp authority for the demo and the tests (``motcua tsa serve``).

It answers ``POST`` requests of type ``application/timestamp-query`` with a real ``TimeStampResp``
(``application/timestamp-reply``) signed by the demo TSA key, so signing goes through the same HTTP
round-trip as with a licensed TSA (Decree 23/2025 requires a time-stamp from a licensed provider for
long-term signatures; only ``MOTCUA_TSA_URL`` changes). The token itself is built by pyHanko's
``DummyTimeStamper``: the protocol, the CMS structure and the signature are standard, only the policy OID
is a test one. Standard library HTTP server only — it is a stand-in, not a production TSA."""

from __future__ import annotations

import logging
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from asn1crypto import core, tsp
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

logger = logging.getLogger(__name__)

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
# A time-stamp query is a hash and a few small fields (~60–100 bytes); anything large is not a query.
MAX_QUERY_BYTES = 16 * 1024
ACCEPTED_HASHES = frozenset({"sha256", "sha384", "sha512"})


class _RejectionResp(core.Sequence):
    """``TimeStampResp`` without a token (asn1crypto's class insists on one; RFC 3161 §2.4.2 does not)."""

    _fields = [("status", tsp.PKIStatusInfo)]


def rejection(fail_info: str, text: str) -> bytes:
    """A DER ``TimeStampResp`` with status *rejection* and one failure reason (e.g. ``bad_alg``)."""
    status = tsp.PKIStatusInfo(
        {"status": "rejection", "status_string": [text], "fail_info": tsp.PKIFailureInfo({fail_info})}
    )
    return bytes(_RejectionResp({"status": status}).dump())


class TimeStampAuthority:
    """Turns a DER ``TimeStampReq`` into a DER ``TimeStampResp``; thread-safe (no state between calls)."""

    def __init__(
        self,
        *,
        tsa_cert: asn1_x509.Certificate,
        tsa_key: asn1_keys.PrivateKeyInfo,
        chain: list[asn1_x509.Certificate] | None = None,
    ) -> None:
        self.tsa_cert = tsa_cert
        self.granted = 0  # tokens issued (tests and the health check read it)
        self._lock = threading.Lock()
        # The demo TSA of signing.py: its key parsed once, not on every token (~40–120 ms each).
        from motcua.simulators.demo_keys import DemoTimeStamper

        self._stamper: DummyTimeStamper = DemoTimeStamper(
            tsa_cert=tsa_cert,
            tsa_key=tsa_key,
            certs_to_embed=SimpleCertificateStore.from_certs(chain or []),
        )

    def respond(self, query: bytes) -> bytes:
        try:
            request = tsp.TimeStampReq.load(query)
            algorithm = request["message_imprint"]["hash_algorithm"]["algorithm"].native
            digest = request["message_imprint"]["hashed_message"].native
            _ = request["nonce"].native  # parse every field we use now, not halfway through signing
        except (ValueError, TypeError, KeyError) as exc:
            logger.info("TSA: malformed request: %s", exc)
            return rejection("bad_data_format", "malformed TimeStampReq")
        if algorithm not in ACCEPTED_HASHES:
            return rejection("bad_alg", f"hash algorithm {algorithm} not accepted")
        if not isinstance(digest, bytes) or len(digest) * 8 != int(algorithm[3:]):
            return rejection("bad_data_format", "message imprint has the wrong length")
        try:
            response = self._stamper.request_tsa_response(request)
        except Exception:  # a stand-in TSA still answers in the protocol, never with a stack trace
            logger.exception("TSA: could not sign a time-stamp token")
            return rejection("system_failure", "internal error")
        with self._lock:
            self.granted += 1
        return bytes(response.dump())


def _handler_for(authority: TimeStampAuthority) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "MotcuaTSA/1"

        def do_POST(self) -> None:
            content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if content_type != QUERY_TYPE:
                self._plain(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"expected {QUERY_TYPE}\n")
                return
            try:
                length = int(self.headers.get("Content-Length") or "0")
            except ValueError:
                length = -1
            if not 0 < length <= MAX_QUERY_BYTES:
                self._plain(HTTPStatus.BAD_REQUEST, "missing or oversized body\n")
                return
            body = authority.respond(self.rfile.read(length))
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", REPLY_TYPE)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            # A health check for scripts and people: the TSA's certificate subject.
            subject = authority.tsa_cert.subject.human_friendly
            self._plain(HTTPStatus.OK, f"RFC 3161 TSA: {subject}; {authority.granted} token(s) issued\n")

        def _plain(self, status: HTTPStatus, text: str) -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            logger.debug("TSA %s: " + format, self.address_string(), *args)

    return Handler


def tsa_server(
    *, authority: TimeStampAuthority, host: str = "127.0.0.1", port: int = 8702
) -> ThreadingHTTPServer:
    """A bound (not yet serving) server; ``port=0`` picks a free port (``server.server_address[1]``)."""
    server = ThreadingHTTPServer((host, port), _handler_for(authority))
    server.daemon_threads = True
    return server


def tsa_serve_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    """Serve in a daemon thread (tests); stop with ``server.shutdown(); server.server_close()``."""
    thread = threading.Thread(target=server.serve_forever, name="motcua-tsa", daemon=True)
    thread.start()
    return thread
