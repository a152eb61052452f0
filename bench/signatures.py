"""Signatures/s (PAdES with a time-stamp, software key) and verifications/s on a rendered result document."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.stats import summary, timed


def main() -> None:
    from motcua.signatures.pki import pki_demo_build, pki_write
    from motcua.signatures.render import document_render
    from motcua.signatures.signing import PkiFiles, SoftwareSigner
    from motcua.signatures.verification import pdf_verify

    directory = Path(tempfile.mkdtemp(prefix="motcua-bench-pki-"))
    pki_write(pki_demo_build(people={"dung": ("Hoàng Văn Dũng", "Sở Văn hóa")}), directory)
    data = {
        "title": "Giấy phép xuất bản bản tin",
        "parent": "Ủy ban nhân dân tỉnh Minh Sơn",
        "agency": "Sở Văn hóa, Thể thao và Du lịch",
        "number": "01/GP-SVHTTDL",
        "place": "Minh Sơn",
        "day": "01",
        "month": "12",
        "year": "2026",
        "code": "000.00.09.H99-261201-0001",
        "applicant": "Nguyễn Văn An",
        "id_number": "001090012345",
        "received": "01/12/2026",
        "content": "Bản tin Thông tin Minh Sơn",
        # The variable content the specialist drafts (signatures/drafts.py).
        "fields": [
            {"label": "Tổ chức, cá nhân", "value": "Nguyễn Văn An"},
            {"label": "Nội dung", "value": "Bản tin Thông tin Minh Sơn, 8 trang, 500 bản/kỳ"},
        ],
        "recipients": ["Nguyễn Văn An", "Lưu: VT, hồ sơ"],
        "signer": {"lines": ["GIÁM ĐỐC"], "note": "", "name": "Hoàng Văn Dũng"},
        "qr_url": "http://127.0.0.1:8000/xac-minh/00000000-0000-0000-0000-000000000000/",
        "qr_caption": "Quét mã QR để xác minh văn bản điện tử",
        "signer_title": "GIÁM ĐỐC",
        "signer_name": "Hoàng Văn Dũng",
        "verify_url": "http://127.0.0.1:8000/api/v1/verifications",
        "qr": '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        '<rect width="10" height="10"/></svg>',
    }
    document_render(template="result", data=data)  # warm-up: typst loads its fonts once per process
    render = timed(lambda: document_render(template="result", data=data), 20)
    print(f"render result PDF/A (typst): {summary(render)}")
    pdf = document_render(template="result", data=data)
    signer = SoftwareSigner(pki=PkiFiles(directory), name="dung")
    # Warm-up: the first signature parses the keys and builds the validation context (cached afterwards).
    signer.sign(pdf=pdf, reason="Phê duyệt", location="Minh Sơn", field_name="KhoiDong")
    signed: list[bytes] = []
    started = time.perf_counter()
    samples = timed(
        lambda: signed.append(
            signer.sign(pdf=pdf, reason="Phê duyệt", location="Minh Sơn", field_name="ChuKyLanhDao")
        ),
        30,
    )
    elapsed = time.perf_counter() - started
    rate = len(samples) / elapsed
    label = (
        "sign (PAdES B-LTA: CRLs issued after signing, DSS, document time-stamp; RSA-2048, in-process TSA)"
    )
    print(f"{label}: {rate:.1f} signatures/s; {summary(samples)}")
    from motcua.core import clock
    from motcua.signatures.appearance import personal_stamp_style, placements_for_anchor

    personal, _seal = placements_for_anchor(page=0, x=400, y=560, page_height=841.89)
    style = personal_stamp_style(full_name="Hoàng Văn Dũng", moment=clock.now())
    started = time.perf_counter()
    visible = timed(
        lambda: signer.sign(
            pdf=pdf,
            reason="Phê duyệt",
            location="Minh Sơn",
            field_name="HienThi",
            appearance=(personal, style),
        ),
        30,
    )
    rate = len(visible) / (time.perf_counter() - started)
    label = "sign with the visible Decree 30 appearance (signature image + text)"
    print(f"{label}: {rate:.1f} signatures/s; {summary(visible)}")
    roots, inter = [directory / "root.crt.pem"], [directory / "issuing.crt.pem"]
    started = time.perf_counter()
    checks = timed(lambda: pdf_verify(pdf=signed[0], trust_roots=roots, intermediates=inter), 30)
    elapsed = time.perf_counter() - started
    print(f"verify: {len(checks) / elapsed:.1f} verifications/s; {summary(checks)}")
