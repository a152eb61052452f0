"""The demo citizen's data store (``motcua demo``): one signed document in An's store, so that once-only
reuse shows in ``make run`` — submitting "Đăng ký thường trú" (1.004222.000.00.00.H99) offers it for the
required component "Giấy tờ chứng minh chỗ ở hợp pháp" ("use this" instead of uploading).

The document is an electronic copy certified from the original (bản sao điện tử chứng thực từ bản chính,
Decree 45/2020/NĐ-CP art. 16 and Decree 23/2015/NĐ-CP): a tenancy contract, certified by the one-stop
official of phường Minh Khai with the demo PKI's certificate (``motcua pki demo``), so its signature report
validates against the demo trust list. Idempotent: a second run finds it by its ``source_ref`` and signs
nothing."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

from django.conf import settings

from motcua.identity.models import DocumentSource, StoredDocument

DEMO_CITIZEN_ID = "001090012345"  # "an" (accounts.demo)
DEMO_SOURCE_REF = "chung-thuc:demo-MK-2026-00088"
DEMO_SIGNER = "tiepnhan.minhkhai"  # Lý Thị Hoa, one-stop section of phường Minh Khai (signatures pki demo)
DEMO_TITLE = "Hợp đồng thuê nhà (bản sao điện tử chứng thực từ bản chính) — giấy tờ chứng minh chỗ ở hợp pháp"
DEMO_ISSUER = "UBND phường Minh Khai"
DEMO_ISSUED = dt.date(2026, 10, 1)

# Typst source; the values are passed as JSON (sys.inputs) and inserted as text, never evaluated.
_SOURCE = """
#let d = json(bytes(sys.inputs.data))
#set document(title: d.title, author: d.issuer)
#set page(paper: "a4", margin: (top: 20mm, bottom: 20mm, left: 30mm, right: 15mm))
#set text(font: ("Liberation Serif",), size: 13pt, lang: "vi")
#align(center, text(weight: "bold")[CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM \\ Độc lập - Tự do - Hạnh phúc])
#v(8mm)
#align(center, text(size: 15pt, weight: "bold", d.heading))
#v(4mm)
#for line in d.lines [#line \\ ]
#v(8mm)
#text(style: "italic", d.certification)
"""


def _content() -> bytes:
    import typst

    from motcua.signatures.render import document_font

    data = {
        "title": DEMO_TITLE,
        "issuer": DEMO_ISSUER,
        "heading": "HỢP ĐỒNG THUÊ NHÀ Ở",
        "lines": [
            "Bên cho thuê: bà Trần Thị Mai, số định danh cá nhân 001085004321.",
            "Bên thuê: ông Nguyễn Văn An, số định danh cá nhân 001090012345.",
            "Nhà ở: số 12 phố Minh Khai, phường Minh Khai, tỉnh Minh Sơn; diện tích sử dụng 45 m².",
            "Thời hạn thuê: 36 tháng, từ ngày 01/10/2026 đến ngày 30/09/2029.",
        ],
        "certification": (
            "Chứng thực bản sao đúng với bản chính. Số chứng thực MK-2026-00088, quyển số 01/2026-SCT/BS, "
            "ngày 01/10/2026 — UBND phường Minh Khai (dữ liệu mẫu, không có giá trị pháp lý)."
        ),
    }
    with tempfile.TemporaryDirectory(prefix="motcua-demo-") as directory:
        source = Path(directory) / "copy.typ"
        source.write_text(_SOURCE, encoding="utf-8")
        pdf = typst.compile(
            str(source),
            sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
            font_paths=list(document_font().directories),
        )
    if not isinstance(pdf, bytes):  # pragma: no cover - typst returns bytes for one PDF
        raise RuntimeError("typst returned no PDF")
    return pdf


def load_demo_store() -> list[str]:
    """Put the certified tenancy contract in An's store; the lines say what happened."""
    from motcua.identity.reference import identity_reference_seed
    from motcua.identity.store import store_document_add
    from motcua.signatures.signing import PkiFiles, SigningError, SoftwareSigner

    existing = StoredDocument.objects.filter(
        owner_id_number=DEMO_CITIZEN_ID, source_ref=DEMO_SOURCE_REF
    ).first()
    if existing is not None:
        return [
            f"Data store of citizen an: {existing.title[:40]}… already there ({existing.signature_verdict})."
        ]
    pki = PkiFiles(Path(settings.MOTCUA_PKI_DIR))
    if not pki.key_path(DEMO_SIGNER).exists():
        return [f"No demo certificate for {DEMO_SIGNER} in {pki.directory}: run `motcua pki demo`, then this "
                "again, for the signed document in citizen an's data store."]  # fmt: skip
    identity_reference_seed()
    try:
        signed = SoftwareSigner(pki=pki, name=DEMO_SIGNER).sign(
            pdf=_content(),
            reason="Chứng thực bản sao từ bản chính",
            location="Minh Khai",
            field_name="ChuKyChungThuc",
        )
    except SigningError as exc:  # e.g. MOTCUA_TSA_URL set to a TSA that is not up yet: the demo goes on
        return [f"Data store of citizen an: not signed ({exc}); run `motcua demo` again later."]
    doc = store_document_add(
        owner_id_number=DEMO_CITIZEN_ID,
        title=DEMO_TITLE,
        source=DocumentSource.DIGITISED,
        source_ref=DEMO_SOURCE_REF,
        kind_code="cho_o",
        issuer=DEMO_ISSUER,
        issue_date=DEMO_ISSUED,
        content=signed,
        file_name="hop-dong-thue-nha-chung-thuc.pdf",
        data={"so_chung_thuc": "MK-2026-00088", "nguoi_chung_thuc": "Lý Thị Hoa"},
    )
    return [
        f"Data store of citizen an: certified tenancy contract added (signature {doc.signature_verdict})."
    ]
