"""``motcua digitize``: folders expanded, one JSON object per file, the PDF/A written beside the
original (kept), a broken file reported with its reason and a non-zero exit status."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from motcua.testing.scans import image_bytes, scan_page


def test_json_records_per_file_beside_the_originals(tmp_path: Path) -> None:
    (tmp_path / "hop").mkdir()
    good = tmp_path / "hop" / "giay-to.png"
    good.write_bytes(image_bytes(scan_page(["Họ và tên: Lê Thị Hồng Nhung", "Số: 27/GCN-UBND"])))
    broken = tmp_path / "hong.pdf"
    broken.write_bytes(b"%PDF-1.7 not really")
    (tmp_path / "ghi-chu.txt").write_text("bỏ qua")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("digitize", str(tmp_path), "--json", "--workers", "1", stdout=out)
    assert exited.value.code == 1
    records = {Path(r["file"]).name: r for r in map(json.loads, out.getvalue().splitlines())}
    assert set(records) == {"giay-to.png", "hong.pdf"}
    ok = records["giay-to.png"]
    assert set(ok) >= {"file", "pages", "text", "fields", "output", "seconds"}
    assert ok["pages"] == 1
    assert "Lê Thị Hồng Nhung" in ok["text"]
    assert {"kind": "document_number", "value": "27/GCN-UBND"}.items() <= ok["fields"][-1].items()
    assert Path(ok["output"]) == good.with_name("giay-to.pdfa.pdf")
    assert Path(ok["output"]).read_bytes().startswith(b"%PDF-")
    assert good.exists()
    assert "bị hỏng" in records["hong.pdf"]["error"]
    assert "damaged" in records["hong.pdf"]["error_en"]
    assert not (tmp_path / "hong.pdfa.pdf").exists()
