"""``motcua demo`` puts a signed, reusable document in the demo citizen An's data store (once), and the
submission of the demo procedure "Đăng ký thường trú" offers it for its proof-of-residence component."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from motcua.identity.demo import DEMO_CITIZEN_ID, DEMO_SIGNER, load_demo_store
from motcua.identity.models import StoredDocument

pytestmark = pytest.mark.django_db

RESIDENCE = "1.004222.000.00.00.H99"


@pytest.fixture
def demo_pki(settings: Any, tmp_path: Path) -> Path:
    from motcua.signatures.pki import pki_demo_build, pki_write

    directory = tmp_path / "pki"
    directory.mkdir()
    pki_write(pki_demo_build(people={DEMO_SIGNER: ("Lý Thị Hoa", "UBND phường Minh Khai")}), directory)
    settings.MOTCUA_PKI_DIR = str(directory)
    settings.MEDIA_ROOT = tmp_path / "media"
    return directory


def test_without_the_demo_pki_the_store_is_left_alone_and_says_why(settings: Any, tmp_path: Path) -> None:
    settings.MOTCUA_PKI_DIR = str(tmp_path / "none")
    assert "motcua pki demo" in load_demo_store()[0]
    assert not StoredDocument.objects.exists()


def test_the_demo_seeds_one_signed_reusable_document_offered_at_submission(demo_pki: Path) -> None:
    from motcua.accounts.models import User
    from motcua.catalog.selectors import procedure_version_for_submission
    from motcua.identity.store import StoreForDossiers, store_document_reusable

    out = StringIO()
    call_command("demo", stdout=out)
    assert "certified tenancy contract added (signature valid)" in out.getvalue()
    call_command("demo", stdout=StringIO())  # idempotent: no second document, nothing signed again
    doc = StoredDocument.objects.get(owner_id_number=DEMO_CITIZEN_ID, source_ref__startswith="chung-thuc:")
    assert doc.signature_verdict == "valid"
    assert doc.kind is not None
    assert doc.kind.code == "cho_o"
    assert store_document_reusable(doc) == (True, "")

    an = User.objects.get(username="an")
    version = procedure_version_for_submission(local_code=RESIDENCE)
    components = list(version.components.filter(required=True))
    offers = StoreForDossiers().reuse_offers(user=an, components=components)
    proof = next(c for c in components if "chỗ ở hợp pháp" in c.name.lower())
    assert f"store:{doc.pk}" in [value for value, _ in offers.get(proof.pk, [])]
    # And the citizen's submission form shows "use this" for it.
    web = Client()
    web.force_login(an)
    form = web.get(f"/ho-so/nop/{RESIDENCE}/").content.decode()
    assert f"value='store:{doc.pk}'" in form or f'value="store:{doc.pk}"' in form
