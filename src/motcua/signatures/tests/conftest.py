from __future__ import annotations

from pathlib import Path

import pytest

# The dossier fixtures serve the documents tests too.
from motcua.dossiers.tests.conftest import bulletin_version, calendar_seeded, frozen  # noqa: F401
from motcua.signatures.pki import pki_demo_build, pki_write


@pytest.fixture
def signing(frozen, settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]  # noqa: F811
    """A demo PKI for the leader "dung" and the clerical officer "em"; results are signed when issued."""
    pki_write(
        pki_demo_build(people={"dung": ("Hoàng Văn Dũng", "Sở Văn hóa"), "em": ("Sở Văn hóa", "Văn thư")}),
        tmp_path,
    )
    settings.MOTCUA_PKI_DIR = str(tmp_path)
    settings.MOTCUA_SIGN_RESULTS = True
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo PKI (root, intermediate, TSA, CRLs) with one official, built once per test module."""
    directory = tmp_path_factory.mktemp("pki")
    pki_write(pki_demo_build(people={"dung": ("Hoàng Văn Dũng", "Sở Văn hóa")}), directory)
    return directory
