"""The data-sharing gateway's (LGSP) pages in a real browser, for the province's administrator: the registry,
a service, the operator page, the message log, one message with its seal and its evidence (downloaded and
verified offline), in Vietnamese and in English. The evidence of a message that carried a citizen's data is
recorded as the administrator's read on the citizen's "who used my data"."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_dossier_journey import SHOTS, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CITIZEN = "001090012345"


@pytest.fixture
def lgsp_traffic(province_data: None, settings: Any, tmp_path: Path) -> Iterator[None]:
    """Exchanges through a gateway served in a thread, chained and time-stamped — before the browser
    starts (the time-stamp runs an event loop; Playwright's sync API holds one)."""
    from motcua.gateway.services import log_seal_and_stamp
    from motcua.signatures.pki import pki_demo_build, pki_write
    from motcua.testing.gateway import echo_upstream, gateway_served

    pki = tmp_path / "pki"
    pki.mkdir()
    pki_write(pki_demo_build(people={}), pki)
    settings.MOTCUA_PKI_DIR = str(pki)
    with (
        echo_upstream() as upstream,
        gateway_served(upstreams={"echo": upstream.url, "csdldc": upstream.url}, personal=("csdldc",)) as gw,
    ):
        gw.client("soyte", member_code="soyte", services=("csdldc",), secret="soyte-secret")
        token = gw.token()
        gw.call("echo", "things/1", token=token, message_id="lgsp-ok-1")
        gw.call("echo", "fail", token=token, message_id="lgsp-fail-1")
        soyte = gw.token(client_id="soyte", client_secret="soyte-secret")
        body = json.dumps({"SoDinhDanh": CITIZEN, "HoVaTen": "Nguyễn Văn An"}).encode()
        status, _, _ = gw.call(
            "csdldc", "congdan/tracuu", token=soyte, method="POST", body=body, message_id="lgsp-soyte-1",
            purpose="Cap-giay-chung-sinh",
        )  # fmt: skip
        assert status == 200
        assert log_seal_and_stamp()["stamped"] >= 1
        yield  # the gateway's key (for the evidence's certificate) stays configured while the test runs


def test_administrator_reads_the_log_a_message_and_its_evidence_in_both_languages(
    lgsp_traffic: None, live_server: Any, browser: Any, tmp_path: Path
) -> None:
    from motcua.gateway.evidence import evidence_verify
    from motcua.gateway.models import MessageLog
    from motcua.identity.models import AccessorKind, PersonalDataAccess

    admin = Person(browser, live_server.url, "admin", tmp_path)
    SHOTS.mkdir(parents=True, exist_ok=True)

    # The registry, a service, the operator page.
    page = admin.go("/lgsp/")
    assert page.get_by_role("heading", name="Danh mục thành viên và dịch vụ (LGSP)").count() == 1
    page.get_by_role("link", name="csdldc").click()
    page.wait_for_load_state()
    assert "Có — phải nêu mục đích (X-Purpose)" in page.content()
    assert "soyte" in page.content()  # granted
    page = admin.go("/lgsp/van-hanh/")
    health = page.locator("table.lgsp-health").inner_text()
    assert "echo" in health
    assert "csdldc" in health

    # The message log: all three exchanges, a filter, then one message.
    page.get_by_role("link", name="Nhật ký trao đổi dữ liệu (LGSP)").click()
    page.wait_for_load_state()
    rows = page.locator("#lgsp-messages tbody tr")
    assert rows.count() == 3
    assert "Cap-giay-chung-sinh" in page.locator("#lgsp-messages").inner_text()
    admin.shot("lgsp-01-message-log")
    page.locator("select[name=outcome]").select_option("upstream_error")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_load_state()
    assert rows.count() == 1
    assert "lgsp-fail-1" in rows.first.inner_text()
    page = admin.go("/lgsp/nhat-ky/")
    page.get_by_role("link", name="lgsp-soyte-1").click()
    page.wait_for_load_state()
    log = MessageLog.objects.get(message_id="lgsp-soyte-1")
    seal = page.locator("#lgsp-seal").inner_text()
    assert log.content_hash in seal
    assert f"#{log.seq}" in seal
    assert "có dữ liệu cá nhân" in page.locator("#lgsp-record").inner_text()
    assert CITIZEN not in page.content()  # the bodies are not on the page
    admin.shot("lgsp-02-message-seal")

    # The evidence: downloaded, verified with nothing but the file, recorded as the administrator's read.
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải bằng chứng (JSON)").click()
    saved = tmp_path / "evidence.json"
    download.value.save_as(saved)
    verification = evidence_verify(saved.read_bytes())
    assert verification.intact, verification.problems
    reads = PersonalDataAccess.objects.filter(subject_id_number=CITIZEN)
    assert sorted(reads.values_list("accessor_kind", flat=True)) == [AccessorKind.STAFF, AccessorKind.SYSTEM]
    assert reads.get(accessor_kind=AccessorKind.STAFF).user.username == "admin"

    # The same pages in English.
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Seal").count() == 1
    assert page.get_by_role("link", name="Download evidence (JSON)").count() == 1
    assert "Platform signature (Ed25519)" in page.content()
    admin.shot("lgsp-03-message-seal-en")
    page = admin.go("/lgsp/nhat-ky/")
    assert page.get_by_role("heading", name="Data exchange log (LGSP)").count() == 1
    assert page.get_by_role("button", name="Filter").count() == 1
    assert "Received at" in page.locator("#lgsp-messages").inner_text()
    page = admin.go("/lgsp/van-hanh/")
    assert "Vận hành" not in page.locator("h1").inner_text()
    admin.shot("lgsp-04-operations-en")
    assert not admin.errors, admin.errors
