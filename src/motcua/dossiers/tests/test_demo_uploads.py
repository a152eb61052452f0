"""The demo's uploaded papers are real PDF/A pages that say what they stand for: a clerk or a citizen who
opens one reads its name and that it is a demo (an empty page without a cross-reference table was shown as
"unreadable" in the citizen's data store)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from motcua.dossiers.demo import _demo_pdf
from motcua.signatures.services import document_verify


@pytest.mark.django_db
def test_a_demo_upload_is_a_readable_pdfa_naming_its_component(tmp_path: Path) -> None:
    pdf = tmp_path / "upload.pdf"
    pdf.write_bytes(_demo_pdf('Tờ khai đăng ký "kết hôn"', "Nguyễn Văn An"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert 'TỜ KHAI ĐĂNG KÝ "KẾT HÔN"' in text
    assert "Nguyễn Văn An" in text
    assert "không có giá trị pháp lý" in text
    meta = subprocess.run(["pdfinfo", "-meta", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "<pdfaid:part>2</pdfaid:part>" in meta
    # Unsigned, as a citizen's scan is — not unreadable.
    assert document_verify(content=pdf.read_bytes())["verdict"] == "unsigned"
