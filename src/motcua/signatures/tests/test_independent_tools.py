"""Issued results validate with tools we did not write — poppler's pdfsig (NSS) and pyHanko's own CLI
(``pyhanko sign adesverify``) — against the demo root; one changed byte is reported by both."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from motcua.dossiers import processing
from motcua.dossiers.models import TaskStatus
from motcua.signatures.models import IssuedDocument
from motcua.signatures.tests.test_results import _approved

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued_pdf(  # type: ignore[no-untyped-def]
    signing,
    tmp_path: Path,
    citizen_an,
    clerk_binh,
    specialist_chi,
    leader_dung,
    clerical_em,
    bulletin_version,
) -> Path:
    dossier = _approved(bulletin_version, citizen_an, clerk_binh, specialist_chi, leader_dung)
    processing.task_complete(task=dossier.tasks.get(status=TaskStatus.ACTIVE), user=clerical_em)
    document = IssuedDocument.objects.get(dossier=dossier, kind="result")
    target = tmp_path / "ket-qua.pdf"
    with document.file.open("rb") as handle:
        target.write_bytes(handle.read())
    return target


def _changed(path: Path) -> Path:
    """The same file with one letter of its XMP title changed (inside the signed bytes, still parseable)."""
    content = bytearray(path.read_bytes())
    position = content.index(b">", content.index(b"<rdf:li", content.index(b"<dc:title>"))) + 1
    content[position] = ord("X") if content[position] != ord("X") else ord("Y")
    changed = path.with_name("sua-doi.pdf")
    changed.write_bytes(bytes(content))
    return changed


def _nss_db(directory: Path, root: Path) -> str:
    db = directory / "nss"
    db.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{db}", "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{db}", "-n", "motcua-demo-root", "-t", "CT,C,C", "-i", str(root)],
        check=True,
    )
    return f"sql:{db}"


@pytest.mark.skipif(not shutil.which("pdfsig") or not shutil.which("certutil"), reason="poppler/NSS tools")
def test_pdfsig_validates_both_signatures_against_the_demo_root(issued_pdf: Path, signing: Path) -> None:
    nss = _nss_db(issued_pdf.parent, signing / "root.crt.pem")
    out = subprocess.run(
        ["pdfsig", "-nssdir", nss, str(issued_pdf)], capture_output=True, text=True, check=False
    ).stdout
    assert out.count("Signature Validation: Signature is Valid.") == 2
    assert out.count("Certificate Validation: Certificate is Trusted.") == 2
    assert "Hoàng Văn Dũng" in out
    changed = subprocess.run(
        ["pdfsig", "-nssdir", nss, str(_changed(issued_pdf))], capture_output=True, text=True, check=False
    ).stdout
    assert "Signature is Valid." not in changed
    assert "Digest Mismatch" in changed


def _adesverify(path: Path, signing: Path) -> subprocess.CompletedProcess[str]:
    cli = Path(sys.executable).parent / "pyhanko"  # pyhanko-cli, installed with the dev extras
    return subprocess.run(
        [
            str(cli),
            "sign",
            "adesverify",
            "--executive-summary",
            "--trust-replace",
            "--trust",
            str(signing / "root.crt.pem"),
            "--other-certs",
            str(signing / "issuing.crt.pem"),
            "--validation-time",
            "2025-03-03T03:00:00+00:00",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_pyhanko_adesverify_accepts_the_result_and_rejects_a_change(issued_pdf: Path, signing: Path) -> None:
    good = _adesverify(issued_pdf, signing)
    assert good.returncode == 0, good.stdout + good.stderr
    assert good.stdout.count(":VALID") == 2, good.stdout
    bad = _adesverify(_changed(issued_pdf), signing)
    assert bad.returncode != 0
    assert bad.stdout.count(":VALID") < 2, bad.stdout
