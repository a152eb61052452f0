"""Uploads of identity documents: sensitive personal data (Decree 356/2025 art. 4 — images of ID cards and
passports), so their bytes are encrypted at rest and fewer staff may open them.

* which components hold one: the catalogue says so (``Component.is_identity_document``, ``GIAYTOTUYTHAN``
  in the catalogue file); catalogues imported from the national database do not carry that flag, so a
  component whose name names an identity document is treated the same way (better one file too many
  encrypted than an ID card in clear);
* encryption: Fernet (AES-128-CBC + HMAC-SHA256, ``cryptography``) with the key(s) of
  ``MOTCUA_SENSITIVE_FILES_KEY``; the first key encrypts, every key decrypts, so keys can be rotated. An
  upload is at most 10 MiB, so the file is encrypted and decrypted in memory.
"""

from __future__ import annotations

import io
import re
from typing import IO, Any

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.files.base import ContentFile

from motcua.dossiers.models import DossierFile

# Names of identity documents as catalogues write them: thẻ căn cước (công dân), CCCD, chứng minh nhân
# dân / CMND, hộ chiếu, giấy tờ tùy thân, định danh điện tử.
_IDENTITY_NAME = re.compile(
    r"căn cước|\bcccd\b|chứng minh nhân dân|\bcmnd\b|hộ chiếu|giấy tờ tùy thân|giấy tờ tuỳ thân|"
    r"định danh điện tử",
    re.IGNORECASE,
)


def identity_document_reason(*, catalogue_component: Any, name: str) -> str:
    """Why a component counts as an identity document ("" when it does not)."""
    if catalogue_component is not None and getattr(catalogue_component, "is_identity_document", False):
        return "catalogue"
    # "Tờ khai căn cước" is the application form for an ID card, not an image of one.
    if _IDENTITY_NAME.search(name) and not name.lower().startswith(("tờ khai", "đơn")):
        return "name"
    return ""


def component_is_identity_document(component: Any) -> bool:
    """For a DossierComponent (or a catalogue Component)."""
    catalogue = getattr(component, "catalogue_component", component)
    return bool(identity_document_reason(catalogue_component=catalogue, name=component.name))


def _fernet() -> MultiFernet:
    keys = [k.strip() for k in settings.MOTCUA_SENSITIVE_FILES_KEY.split(",") if k.strip()]
    return MultiFernet([Fernet(k) for k in keys])


def dossier_file_store(stored: DossierFile, upload: Any, *, sensitive: bool) -> None:
    """Write an upload's bytes to the storage for ``stored`` (not saved), encrypted when ``sensitive``."""
    name = upload.name or "tep"
    if not sensitive:
        stored.file.save(name, upload, save=False)
        return
    upload.seek(0)
    token = _fernet().encrypt(upload.read())
    upload.seek(0)
    stored.encrypted = True
    # The suffix says what the stored bytes are: nobody opens a ciphertext in an image viewer by mistake.
    stored.file.save(f"{name}.enc", ContentFile(token), save=False)


def dossier_file_open(stored: DossierFile) -> IO[bytes]:
    """The file's original bytes, decrypted when it is stored encrypted."""
    if not stored.encrypted:
        return stored.file.open("rb")
    with stored.file.open("rb") as handle:
        return io.BytesIO(_fernet().decrypt(handle.read()))
