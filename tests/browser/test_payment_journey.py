"""Paying a fee online in the browser (issue 17): a citizen submits a fee-bearing dossier, pays on the
payment-platform simulator, comes back to "paid" and downloads a signed e-receipt that validates; another
abandons payment and, once the order's time is up (the clock is moved), sees it expire."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine

from tests.browser.test_dossier_journey import PROCEDURE, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FEE = 150_000


@pytest.fixture
def fee_and_platform(live_server, province_data, settings, tmp_path: Path) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    from motcua.catalog.models import Fee, FeeKind, ProcedureVersion
    from motcua.signatures.pki import pki_demo_build, pki_write
    from motcua.simulators.payment import PaymentPlatform, payment_serve_in_thread, payment_server

    version = ProcedureVersion.objects.filter(procedure__local_code=PROCEDURE).latest("effective_from")
    Fee.objects.create(version=version, name="Lệ phí cấp giấy phép", kind=FeeKind.CHARGE, amount=Decimal(FEE))
    pki = tmp_path / "pki"
    pki_write(pki_demo_build(people={"binh": ("Trần Văn Bình", "Trung tâm Phục vụ hành chính công")}), pki)
    settings.MOTCUA_PKI_DIR = str(pki)
    settings.MOTCUA_SIGN_RESULTS = True
    settings.MOTCUA_RECEIPT_SIGNER = "binh"
    platform = PaymentPlatform(
        tmn_code=settings.MOTCUA_PAYMENT_TMN_CODE,
        hash_secret=settings.MOTCUA_PAYMENT_HASH_SECRET,
        ipn_url=live_server.url + "/thanh-toan/vnpay/ipn/",
    )
    server = payment_server(platform=platform, port=0)
    payment_serve_in_thread(server)
    settings.MOTCUA_PAYMENT_URL = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield platform
    finally:
        server.shutdown()
        server.server_close()


def _submit(an: Person) -> str:
    page = an.go(f"/ho-so/nop/{PROCEDURE}/")
    files = page.locator("input[type=file]")
    files.nth(0).set_input_files(an.pdf("to-khai.pdf"))
    files.nth(1).set_input_files(an.pdf("mau-trinh-bay.pdf"))
    files.nth(2).set_input_files(an.pdf("ly-lich.pdf"))
    page.get_by_label("Nội dung yêu cầu (trích yếu)").fill("Xin cấp phép bản tin")
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    page.wait_for_url("**/ho-so/000.00.09.H99-*/")
    return str(page.url.rstrip("/").rsplit("/", 1)[-1])


def _to_platform(an: Person, code: str) -> Any:
    page = an.go(f"/ho-so/{code}/")
    page.get_by_role("link", name="Nộp phí, lệ phí").click()
    page.wait_for_load_state()
    assert "150000" in page.content() or "150.000" in page.content()
    page.get_by_role("button", name="Thanh toán trực tuyến").click()
    page.wait_for_load_state()
    assert page.locator("#amount").inner_text() == "150.000 đ"
    return page


def test_a_citizen_pays_online_and_gets_a_signed_receipt(
    fee_and_platform, live_server, browser, settings, tmp_path
) -> None:
    from motcua.signatures.verification import pdf_verify

    an = Person(browser, live_server.url, "an", tmp_path)
    code = _submit(an)
    page = _to_platform(an, code)
    page.get_by_role("button", name="Thanh toán", exact=True).click()
    page.wait_for_url("**/thanh-toan/ket-qua/**")
    assert page.locator("#payment-result").inner_text() == "Đã thanh toán"
    page.get_by_role("link", name="Xem phí, lệ phí và biên lai").click()
    page.wait_for_load_state()
    link = page.get_by_role("link", name="Biên lai", exact=False)
    href = link.get_attribute("href")
    response = an.context.request.get(live_server.url + href)
    assert response.status == 200
    pki = Path(settings.MOTCUA_PKI_DIR)
    body = response.body()
    # pyHanko's validation runs its own event loop: not on Playwright's thread.
    with ThreadPoolExecutor(1) as pool:
        report = pool.submit(
            pdf_verify, pdf=body, trust_roots=[pki / "root.crt.pem"], intermediates=[pki / "issuing.crt.pem"]
        ).result()
    assert report["all_valid"], report
    from motcua.dossiers.models import Dossier

    dossier = Dossier.objects.get(code=code)
    assert (dossier.payment_status, dossier.paid_online) == ("paid", True)


def test_an_abandoned_payment_expires(fee_and_platform, live_server, browser, tmp_path) -> None:
    from motcua.payments.services import orders_expire

    an = Person(browser, live_server.url, "an", tmp_path)
    code = _submit(an)
    page = _to_platform(an, code)
    page.get_by_role("button", name="Hủy giao dịch").click()
    page.wait_for_url("**/thanh-toan/ket-qua/**")
    assert "Bạn đã hủy giao dịch" in page.locator("#payment-result").inner_text()
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=30), tick=True):
        assert orders_expire()["expired"] == 1
    page = an.go(f"/ho-so/{code}/thanh-toan/")
    assert page.locator(".order-status").first.inner_text() == "Hết hạn"
    # The fee is still due: a new order can be opened.
    assert page.get_by_role("button", name="Thanh toán trực tuyến").count() == 1
