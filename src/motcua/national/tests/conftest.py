"""The national systems for tests: the three simulators in threads on free ports, the real gateway
(``motcua.testing.gateway``) in front of them, and our own site served in a thread so that the postal
simulator's tracking callbacks reach it over HTTP. All share the test's database connection."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest, get_script_name
from django.db import connections
from django.urls import set_script_prefix

from motcua.dossiers.tests.conftest import bulletin_version, calendar_seeded, frozen  # noqa: F401
from motcua.national.client import token_forget
from motcua.simulators.business import BusinessRegistry, business_server
from motcua.simulators.national_http import serve_in_thread
from motcua.simulators.population import PopulationDatabase, population_server
from motcua.simulators.post import PostService, post_server
from motcua.testing.gateway import GatewayForTests, gateway_served


@dataclass
class Running:
    server: ThreadingHTTPServer
    url: str
    port: int

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _run(server: ThreadingHTTPServer) -> Running:
    serve_in_thread(server)
    port = int(server.server_address[1])
    return Running(server=server, url=f"http://127.0.0.1:{port}/", port=port)


@dataclass
class NationalSystems:
    population: PopulationDatabase
    business: BusinessRegistry
    post: PostService
    servers: dict[str, Running]
    gateway: GatewayForTests

    def stop(self, name: str) -> None:
        self.servers[name].stop()

    def restart(self, name: str) -> None:
        """Serve the same simulator (same data, same orders) again on the same port."""
        port = self.servers[name].port
        build: dict[str, Any] = {
            "post": lambda: post_server(service=self.post, port=port),
            "population": lambda: population_server(db=self.population, port=port),
            "business": lambda: business_server(registry=self.business, port=port),
        }
        self.servers[name] = _run(build[name]())


@contextlib.contextmanager
def national_systems(*, timeout_seconds: float = 5.0) -> Iterator[NationalSystems]:
    population = PopulationDatabase(count=50)
    business = BusinessRegistry(count=20)
    post = PostService()
    servers = {
        "population": _run(population_server(db=population, port=0)),
        "business": _run(business_server(registry=business, port=0)),
        "post": _run(post_server(service=post, port=0)),
    }
    token_forget()
    try:
        with gateway_served(
            upstreams={
                "csdldc": servers["population"].url,
                "csdldn": servers["business"].url,
                "vnpost": servers["post"].url,
            },
            personal=("csdldc", "vnpost"),
            timeout_seconds=timeout_seconds,
        ) as gateway:
            yield NationalSystems(population, business, post, servers, gateway)
    finally:
        token_forget()
        for running in servers.values():
            with contextlib.suppress(Exception):
                running.stop()


@pytest.fixture
def national(db: None, settings: Any) -> Iterator[NationalSystems]:
    settings.MOTCUA_NATIONAL_SYSTEMS = True
    with national_systems() as systems:
        yield systems


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def site_served(db: None, settings: Any) -> Iterator[str]:
    """Our own Django site in a thread (the postal callback's target), on the test's connection."""
    connection = connections["default"]
    connection.ensure_connection()
    handler = WSGIHandler()
    lock = threading.Lock()

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        # Without request_started/finished, which would close the test's connection.
        with lock:
            connections["default"] = connection
            set_script_prefix(get_script_name(environ))
            response = handler.get_response(WSGIRequest(environ))
            start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
            return [response.content]

    server: WSGIServer = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    connection.inc_thread_sharing()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.MOTCUA_POST_CALLBACK_BASE = url
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        connection.dec_thread_sharing()
