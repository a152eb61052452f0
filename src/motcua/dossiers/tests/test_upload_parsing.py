"""Uploads are checked by parsing them, not only by their first bytes (review security F12): every file
the review got accepted as a component is refused now, and ordinary PDFs and scans still pass."""

from __future__ import annotations

import io

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from motcua.core.errors import ApplicationError
from motcua.dossiers.tests.conftest import PDF_BYTES
from motcua.dossiers.uploads import upload_check


def _pdf(change: object = None, **save: object) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    if callable(change):
        change(pdf)
    out = io.BytesIO()
    pdf.save(out, **save)  # type: ignore[arg-type]
    return out.getvalue()


def _image(kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, kind)
    return out.getvalue()


def _check(name: str, content: bytes) -> str:
    return upload_check(SimpleUploadedFile(name, content)).content_type


def _refusal(name: str, content: bytes) -> str:
    with pytest.raises(ApplicationError) as refused:
        upload_check(SimpleUploadedFile(name, content))
    assert refused.value.extra["file"] == name
    return refused.value.message


def test_ordinary_pdfs_and_images_are_accepted() -> None:
    assert _check("to-khai.pdf", _pdf()) == "application/pdf"
    assert _check("mau.pdf", PDF_BYTES) == "application/pdf"
    assert _check("anh.png", _image("PNG")) == "image/png"
    assert _check("anh.jpg", _image("JPEG")) == "image/jpeg"


def test_a_pdf_that_does_not_parse_is_refused() -> None:
    assert "không đọc được" in _refusal("x.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    assert "không đọc được" in _refusal("x.pdf", b"%PDF-1.7\n" + b"\x00" * 200)


def test_an_encrypted_pdf_is_refused_even_with_an_empty_password() -> None:
    encrypted = _pdf(encryption=pikepdf.Encryption(owner="chu", user="", R=6))
    assert "mã hóa" in _refusal("ma-hoa.pdf", encrypted)
    locked = _pdf(encryption=pikepdf.Encryption(owner="chu", user="mat-khau", R=6))
    assert "mã hóa" in _refusal("khoa.pdf", locked)


def _open_action(pdf: pikepdf.Pdf) -> None:
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))


def _names_tree(pdf: pikepdf.Pdf) -> None:
    action = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("x()")))
    pdf.Root.Names = pikepdf.Dictionary(JavaScript=pikepdf.Dictionary(Names=pikepdf.Array(["a", action])))


def _link(pdf: pikepdf.Pdf) -> None:
    link = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        Rect=pikepdf.Array([0, 0, 10, 10]),
        A=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("this.exportDataObject()")),
    )
    pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(link)]))


@pytest.mark.parametrize("where", [_open_action, _names_tree, _link], ids=["open-action", "names", "link"])
def test_a_pdf_with_javascript_is_refused(where: object) -> None:
    assert "JavaScript" in _refusal("js.pdf", _pdf(where))


def test_javascript_hidden_in_an_object_stream_is_found() -> None:
    packed = _pdf(_open_action, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    assert "JavaScript" in _refusal("js.pdf", packed)


def test_polyglots_are_refused() -> None:
    html = b"<html><body><script>fetch('/api/v1/dossiers')</script></body></html>"
    assert "HTML" in _refusal("poly.pdf", b"%PDF-1.4\n" + html)
    assert "HTML" in _refusal("poly.pdf", _pdf() + html)
    assert "HTML" in _refusal("poly.png", _image("PNG") + html)
    assert "HTML" in _refusal("poly.jpg", _image("JPEG")[:-2] + b"<!DOCTYPE html>" + b"\xff\xd9")


def test_an_image_that_does_not_parse_is_refused() -> None:
    assert "Tệp ảnh" in _refusal("hong.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    assert "Tệp ảnh" in _refusal("hong.png", _image("PNG")[:40])
