from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from motcua.signatures.pki import pki_demo_build, pki_write
from motcua.testing.gateway import EchoUpstream, GatewayForTests, echo_upstream, gateway_served


@pytest.fixture(scope="session")
def gateway_pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo PKI (its TSA stamps the log's batches in-process), built once."""
    directory = tmp_path_factory.mktemp("gateway-pki")
    pki_write(pki_demo_build(people={}), directory)
    return directory


@pytest.fixture
def upstream() -> Iterator[EchoUpstream]:
    with echo_upstream() as served:
        yield served


@pytest.fixture
def gw(db: None, settings, upstream: EchoUpstream, gateway_pki: Path) -> Iterator[GatewayForTests]:  # type: ignore[no-untyped-def]
    settings.MOTCUA_PKI_DIR = str(gateway_pki)
    with gateway_served(
        upstreams={"echo": upstream.url, "people": upstream.url}, personal=("people",), timeout_seconds=0.3
    ) as served:
        yield served
