"""Issue 14's journey in a browser: the citizen logs in through the VNeID simulator (its own HTTP server),
the submission form is pre-filled from the population database (simulator behind the gateway) and offers a
document from the citizen's data store for a required component; the clerk sees where the component came
from; the citizen then sees the clerk's and the database's reads on "who used my data"."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_dossier_journey import SHOTS, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESIDENCE = "1.004222.000.00.00.H99"  # permanent residence registration, received at the commune


@pytest.fixture
def vneid(live_server: Any, settings: Any) -> Iterator[str]:
    from motcua.simulators.vneid import Client, vneid_serve_in_thread, vneid_server

    settings.SITE_URL = live_server.url
    client = Client("motcua-e2e", "e2e-secret", (f"{live_server.url}/dang-nhap/vneid/callback/",))
    server, provider = vneid_server(issuer="http://127.0.0.1", clients={client.client_id: client}, port=0)
    settings.MOTCUA_VNEID_URL = provider.issuer
    settings.MOTCUA_VNEID_CLIENT_ID = client.client_id
    settings.MOTCUA_VNEID_CLIENT_SECRET = client.client_secret
    vneid_serve_in_thread(server)
    yield provider.issuer
    server.shutdown()
    server.server_close()


@pytest.fixture
def population(settings: Any) -> Iterator[None]:
    """The population database simulator behind the gateway, both in threads (the national app's path)."""
    from motcua.simulators.national_http import serve_in_thread
    from motcua.simulators.population import PopulationDatabase, population_server
    from motcua.testing.gateway import gateway_served

    settings.MOTCUA_NATIONAL_SYSTEMS = True
    server = population_server(db=PopulationDatabase(count=5), port=0)
    serve_in_thread(server)
    try:
        with gateway_served(
            upstreams={"csdldc": f"http://127.0.0.1:{server.server_address[1]}/"}, personal=("csdldc",)
        ):
            yield
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def signed_residence_proof(settings: Any, tmp_path: Path) -> bytes:
    import pikepdf

    from motcua.signatures.pki import pki_demo_build, pki_write
    from motcua.signatures.signing import PkiFiles, SoftwareSigner

    pki = tmp_path / "pki"
    pki.mkdir()
    pki_write(pki_demo_build(people={"dung": ("Hoàng Văn Dũng", "UBND phường Minh Khai")}), pki)
    settings.MOTCUA_PKI_DIR = str(pki)
    settings.MEDIA_ROOT = tmp_path / "media"
    document = pikepdf.new()
    document.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    document.save(out)
    return SoftwareSigner(pki=PkiFiles(pki), name="dung").sign(
        pdf=out.getvalue(), reason="Xác nhận", location="Minh Khai", field_name="ChuKy"
    )


@pytest.fixture
def proof(province_data: None, signed_residence_proof: bytes) -> Any:
    """A certified tenancy contract, digitised into An's store (signed, so it may be reused). Made before
    the browser starts: pyHanko runs its own event loop, Playwright's sync API holds one."""
    from motcua.identity.models import DocumentSource
    from motcua.identity.store import store_document_add

    return store_document_add(
        owner_id_number="001090012345",
        title="Giấy tờ chứng minh chỗ ở hợp pháp (hợp đồng thuê nhà đã chứng thực)",
        source=DocumentSource.DIGITISED,
        source_ref="chung-thuc:HD-88/2026",
        kind_code="cho_o",
        issuer="UBND phường Minh Khai",
        issue_date=dt.date(2026, 10, 1),
        content=signed_residence_proof,
        file_name="hop-dong-thue-nha.pdf",
    )


def test_vneid_login_reuse_from_the_store_and_who_used_my_data(
    proof, live_server, browser, tmp_path, vneid, population
) -> None:  # type: ignore[no-untyped-def]
    from motcua.accounts.models import Role, StaffRole
    from motcua.dossiers.models import Dossier
    from motcua.identity.models import StoredDocument

    assert proof.signature_verdict == "valid"
    base = live_server.url

    # 1. Login with VNeID: the portal's button, the provider's page, back logged in as An.
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.locator("#vneid-login").click()
    page.wait_for_url(f"{vneid}/authorize*")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "vneid-01-provider-login.png"), full_page=True)
    page.get_by_role("button", name="001090012345").click()
    page.wait_for_url(f"{base}/ho-so/")
    assert "Đã đăng nhập bằng tài khoản định danh điện tử VNeID" in page.content()

    # 2. Submit: the declaration uploaded, the proof of residence taken from the store.
    page.goto(f"{base}/ho-so/nop/{RESIDENCE}/")
    # Name and address from the population database, not editable, with "report an error".
    prefill = page.locator("#population-prefill")
    assert "Cơ sở dữ liệu quốc gia về dân cư" in prefill.inner_text()
    assert prefill.get_by_role("link", name="Báo thông tin sai").count() == 1
    assert page.locator("input[name=applicant_name]").is_disabled()
    page.locator("input[type=file]").first.set_input_files(
        files=[{"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": _pdf()}]
    )
    page.locator(f"input[type=radio][value='store:{proof.pk}']").check()
    page.screenshot(path=str(SHOTS / "vneid-02-submission-with-store.png"), full_page=True)
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    page.wait_for_url("**/ho-so/*-*/")
    dossier = Dossier.objects.exclude(code=None).get(applicant_id_number="001090012345")
    assert dossier.vneid_verified
    reused = dossier.components.get(reused_from_store=True)
    assert reused.reuse_provenance["store_document"] == proof.pk

    # 3. The receiving clerk opens the dossier: provenance and signature report of the reused component.
    role = StaffRole.objects.filter(agency=dossier.receiving_agency, role=Role.ONE_STOP_CLERK).first()
    assert role is not None
    clerk = Person(browser, base, role.user.username, tmp_path)
    desk = clerk.go(f"/mot-cua/ho-so/{dossier.code}/")
    assert "Lấy từ kho dữ liệu" in desk.content()
    assert "chữ ký số hợp lệ khi nộp" in desk.content()
    clerk.shot("vneid-03-clerk-sees-provenance")

    # 4. "Who used my data": the clerk's read and the database look-up, with the dossier as purpose.
    page.goto(f"{base}/du-lieu-cua-toi/")
    rows = page.locator("#data-accesses tbody tr")
    text = page.locator("#data-accesses").inner_text()
    assert role.user.full_name in text
    # In words (identity.access_labels): the database by its name, the dossier by its code, linked.
    assert "Cơ sở dữ liệu quốc gia về dân cư" in text
    assert f"Hồ sơ {dossier.code}" in text
    assert "HS:" not in text
    assert page.locator(f'#data-accesses a[href="/ho-so/{dossier.code}/"]').count() >= 1
    assert rows.count() >= 2
    page.screenshot(path=str(SHOTS / "vneid-04-who-used-my-data.png"), full_page=True)
    assert StoredDocument.objects.filter(owner_id_number="001090012345").exists()
    context.close()


def _pdf() -> bytes:
    from tests.browser.test_dossier_journey import PDF

    return PDF
