"""Digitisation at the counter in a real browser: the clerk scans a two-page paper component (putting
the pages in order), watches the job, checks the text and confirms; then finds the dossier by a word that
appears only inside the scan, typed without accents (issue 16)."""

from __future__ import annotations

import pytest

from motcua.testing.scans import image_bytes, scan_page
from tests.browser.test_dossier_journey import PROCEDURE, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_digitises_a_two_page_component_and_finds_it_by_a_scanned_word(  # type: ignore[no-untyped-def]
    live_server, province_data, browser, tmp_path
) -> None:
    binh = Person(browser, live_server.url, "binh", tmp_path)
    page = binh.go(f"/mot-cua/tiep-nhan/{PROCEDURE}/")
    page.get_by_label("Họ và tên / tên tổ chức").fill("Trần Thị Mai")
    page.get_by_label("Số định danh cá nhân / mã số doanh nghiệp").fill("001190011111")
    page.locator("#id_applicant_phone").fill("0987654321")
    for box in page.locator("input[name=received_components]").all():
        box.check()
    page.locator("input[type=file]").first.set_input_files(binh.pdf("scan.pdf"))
    page.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
    page.wait_for_url("**/mot-cua/ho-so/*/")
    code = page.url.rstrip("/").rsplit("/", 1)[-1]

    page.get_by_role("link", name="Số hóa").first.click()
    page.wait_for_url("**/mot-cua/so-hoa/**")
    second = tmp_path / "trang-2.png"
    second.write_bytes(image_bytes(scan_page(["Trang hai", "Hợp tác xã Gốm Thanh Hà cam kết"], rotate=1.0)))
    first = tmp_path / "trang-1.png"
    first.write_bytes(image_bytes(scan_page(["Trang một", "ĐƠN ĐỀ NGHỊ", "Họ và tên: Trần Thị Mai"])))
    # Chosen in the wrong order, then put right with the Up button.
    page.locator("#id_pages").set_input_files([str(second), str(first)])
    page.get_by_role("button", name="Lên: trang-1.png").click()
    assert page.locator(".page-order li").first.inner_text().startswith("trang-1.png")
    binh.shot("60-digitise-pages-in-order")
    page.get_by_role("button", name="Số hóa", exact=True).click()
    page.wait_for_url("**/so-hoa/cong-viec/*/")
    page.get_by_text("Hoàn thành").first.wait_for()
    content = page.content()
    assert "2/2" in content
    texts = page.locator("pre.ocr-text").all_inner_texts()
    assert "Trần Thị Mai" in texts[0]
    assert "Thanh Hà" in texts[1]
    binh.shot("61-digitise-result")
    page.get_by_role("button", name="Xác nhận đã số hóa").click()
    page.wait_for_url(f"**/mot-cua/ho-so/{code}/")
    assert "đã số hóa" in page.content()

    page = binh.go("/mot-cua/tim-kiem/?q=gom+thanh+ha")
    hits = page.locator(".search-hits li")
    assert hits.count() == 1
    assert code in hits.first.inner_text()
    assert page.locator(".search-hits mark").count() >= 3
    binh.shot("62-search-unaccented")
    assert not [e for e in binh.errors if "Content Security Policy" in e or "ERR_" in e], binh.errors
