"""The dossier journey in a real browser (Playwright driving Debian's Chromium), as people use it:
citizen submits online → clerk accepts → specialist asks for a supplement → citizen supplies it →
specialist forwards → leader approves → clerical officer issues → clerk returns → citizen sees
"Đã trả kết quả" and rates; plus a paper dossier at the counter and a refused one.

A screenshot of each page is saved under var/test-screenshots/ so a person can look at them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "var" / "test-screenshots"
PROCEDURE = "1.009374.000.00.00.H99"  # licence to publish a bulletin (province, Department of Culture)
# The smallest PDF that parses (uploads are opened with pikepdf): one empty A4 page.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class Person:
    def __init__(self, browser: Any, base: str, username: str, tmp: Path) -> None:
        self.context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.base = base
        self.tmp = tmp
        self.page.goto(base + "/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", "motcua-demo-2026")
        self.page.get_by_role("button", name="Đăng nhập").click()
        self.page.wait_for_load_state()

    def go(self, path: str) -> Any:
        self.page.goto(self.base + path)
        return self.page

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def pdf(self, name: str) -> str:
        path = self.tmp / name
        path.write_bytes(PDF)
        return str(path)

    def act(self, button: str, *, fill: dict[str, str] | None = None) -> None:
        """Fill fields (by label) of the form holding ``button`` and press it."""
        form = self.page.locator("form", has=self.page.get_by_role("button", name=button, exact=True))
        if os.environ.get("MOTCUA_DEBUG_E2E"):
            print(form.evaluate_all("els => els.map(e => e.outerHTML)"))
        for label, value in (fill or {}).items():
            form.get_by_label(label).fill(value)
        form.get_by_role("button", name=button, exact=True).click()
        self.page.wait_for_load_state()


def _task_ready(person: Person, code: str, button: str) -> None:
    person.go(f"/mot-cua/ho-so/{code}/")
    claim = person.page.get_by_role("button", name="Nhận xử lý")
    if claim.count():
        claim.first.click()
        person.page.wait_for_load_state()
    assert person.page.get_by_role("button", name=button, exact=True).count() == 1, person.page.content()


def test_online_dossier_from_submission_to_rating(live_server, province_data, browser, tmp_path) -> None:
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    base = live_server.url
    an = Person(browser, base, "an", tmp_path)
    page = an.go(f"/thu-tuc/{PROCEDURE}/")
    an.shot("01-procedure-page")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.wait_for_load_state()
    files = page.locator("input[type=file]")
    files.nth(0).set_input_files(an.pdf("to-khai.pdf"))
    files.nth(1).set_input_files(an.pdf("mau-trinh-bay.pdf"))
    files.nth(2).set_input_files(an.pdf("ly-lich.pdf"))
    page.get_by_label("Nội dung yêu cầu (trích yếu)").fill("Xin cấp phép bản tin Thông tin Minh Sơn")
    an.shot("02-submission-form")
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    page.wait_for_url("**/ho-so/000.00.09.H99-*/")
    code = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert "Mới đăng ký" in page.content()
    an.shot("03-submitted")

    binh = Person(browser, base, "binh", tmp_path)
    desk = binh.go("/mot-cua/?box=intake")
    assert code in desk.content()
    binh.shot("04-clerk-intake-inbox")
    binh.go(f"/mot-cua/ho-so/{code}/")
    binh.act("Tiếp nhận hồ sơ")
    assert "Đang xử lý" in binh.page.content()
    binh.shot("05-clerk-accepted")

    chi = Person(browser, base, "chi", tmp_path)
    _task_ready(chi, code, "Yêu cầu bổ sung giấy tờ")
    chi.act(
        "Yêu cầu bổ sung giấy tờ",
        fill={"Giấy tờ cần bổ sung và lý do (mỗi dòng một mục)": "Mẫu trình bày: thiếu măng-sét"},
    )
    assert "Yêu cầu bổ sung giấy tờ" in chi.page.content()
    chi.shot("06-specialist-asks-supplement")

    page = an.go(f"/ho-so/{code}/")
    assert "Cần bổ sung hồ sơ" in page.content()
    assert "thiếu măng-sét" in page.content()
    page.locator("section.attention input[type=file]").nth(1).set_input_files(an.pdf("mau-moi.pdf"))
    an.shot("07-citizen-supplement")
    page.get_by_role("button", name="Gửi bổ sung").click()
    page.locator("strong.status-processing").wait_for()
    assert "Đã gửi giấy tờ bổ sung" in page.content()

    _task_ready(chi, code, "Hoàn thành, chuyển bước tiếp")
    chi.act("Hoàn thành, chuyển bước tiếp", fill={"Ý kiến xử lý": "Hồ sơ đủ điều kiện, trình lãnh đạo"})
    assert "Chờ phê duyệt" in chi.page.content()

    dung = Person(browser, base, "dung", tmp_path)
    _task_ready(dung, code, "Phê duyệt")
    dung.shot("08-leader-approval")
    # Approving a result the leader signs is a signing authorisation: the password again (issue 9.2).
    dung.act("Phê duyệt", fill={"Mật khẩu": "motcua-demo-2026"})
    assert "Đã phê duyệt" in dung.page.content()

    em = Person(browser, base, "em", tmp_path)
    _task_ready(em, code, "Vào số, phát hành")
    em.act("Vào số, phát hành", fill={"Số, ký hiệu văn bản kết quả": "15/GP-SVHTTDL"})
    assert "Đã xử lý xong" in em.page.content()
    em.shot("09-clerical-issued")

    binh.go(f"/mot-cua/ho-so/{code}/")
    # One way to finish the return step (review walk step 10: two competing red buttons), recipient prefilled.
    assert binh.page.get_by_role("button", name="Hoàn thành, chuyển bước tiếp").count() == 0
    assert binh.page.get_by_label("Người nhận kết quả").input_value() == "Nguyễn Văn An"
    binh.act("Trả kết quả")
    assert "Đã trả kết quả" in binh.page.content()
    binh.shot("10-result-returned")

    page = an.go(f"/ho-so/{code}/")
    assert "Đã trả kết quả" in page.content()
    for fieldset in page.locator("fieldset.rating").all():
        fieldset.get_by_label("Rất hài lòng").check()
    an.shot("11-citizen-rates")
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_load_state()
    assert "Cảm ơn bạn" in page.content()
    an.shot("12-rated")

    public = Person(browser, base, "lan", tmp_path)
    from motcua.dossiers.models import Dossier

    # The look-up secret the citizen read on their dossier page (and on the receipt).
    secret = Dossier.objects.get(code=code).lookup_secret
    assert secret in an.go(f"/ho-so/{code}/").content().replace("-", "")
    page = public.go(f"/tra-cuu/?code={code}")  # the receipt's QR code fills in the code
    page.fill("#id_factor", secret)  # the factor is posted, never put in the URL
    with page.expect_navigation():
        page.get_by_role("button", name="Tra cứu").click()
    assert "Đã trả kết quả" in page.content()
    public.shot("13-public-tracking")
    for person in (an, binh, chi, dung, em, public):
        assert not person.errors, person.errors


def test_paper_dossier_at_the_counter_and_a_refused_one(
    live_server, province_data, browser, tmp_path
) -> None:
    base = live_server.url
    binh = Person(browser, base, "binh", tmp_path)
    page = binh.go(f"/mot-cua/tiep-nhan/{PROCEDURE}/")
    page.get_by_label("Họ và tên / tên tổ chức").fill("Trần Thị Mai")
    page.get_by_label("Số định danh cá nhân / mã số doanh nghiệp").fill("001190011111")
    page.locator("#id_applicant_phone").fill("0987654321")
    for box in page.locator("input[name=received_components]").all():
        box.check()
    page.locator("input[type=file]").first.set_input_files(binh.pdf("scan.pdf"))
    binh.shot("20-counter-intake")
    page.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
    page.wait_for_url("**/mot-cua/ho-so/*/")
    assert "Đang xử lý" in page.content()
    assert "Trực tiếp" in page.content()
    binh.shot("21-counter-received")

    an = Person(browser, base, "an", tmp_path)
    page = an.go(f"/ho-so/nop/{PROCEDURE}/")
    files = page.locator("input[type=file]")
    for i in range(3):
        files.nth(i).set_input_files(an.pdf(f"f{i}.pdf"))
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    page.wait_for_url("**/ho-so/000.00.09.H99-*/")
    code = page.url.rstrip("/").rsplit("/", 1)[-1]
    binh.go(f"/mot-cua/ho-so/{code}/")
    binh.act(
        "Từ chối tiếp nhận", fill={"Lý do": "Đơn vị đề nghị không thuộc đối tượng được xuất bản bản tin"}
    )
    assert "Không được tiếp nhận" in binh.page.content()
    binh.shot("22-refused")
    page = an.go(f"/ho-so/{code}/")
    assert "Không được tiếp nhận" in page.content()
    an.shot("23-citizen-sees-refusal")


def test_a_bad_file_gets_a_clear_error_in_the_browser(live_server, province_data, browser, tmp_path) -> None:
    an = Person(browser, live_server.url, "an", tmp_path)
    page = an.go(f"/ho-so/nop/{PROCEDURE}/")
    bad = tmp_path / "virus.pdf"
    bad.write_bytes(b"MZ\x90\x00not a pdf")
    page.locator("input[type=file]").nth(0).set_input_files(str(bad))
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    page.locator(".alert-error, .error").first.wait_for()
    assert "Chỉ nhận tệp PDF, JPEG hoặc PNG" in page.content()
    from motcua.dossiers.models import Dossier

    assert Dossier.objects.count() == 0
    an.shot("30-bad-file")
