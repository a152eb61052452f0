"""Signing providers: where an official's private key lives. ``signer_provider_for(username)`` picks the one
named by MOTCUA_SIGNER_PROVIDER; every provider returns the same PAdES B-LT result through
``SignerProvider.sign`` (signing.py). See docs/signing-providers.md."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from motcua.signatures.signing import PkiFiles, SignerProvider, SigningError, SoftwareSigner

PROVIDERS = ("software", "pkcs11", "csc")


def signer_provider_for(name: str, *, pki: PkiFiles | None = None) -> SignerProvider:
    """The signing provider for the official ``name`` (username; the key/certificate label or the remote
    credential's user), per MOTCUA_SIGNER_PROVIDER. Raises ``SigningError`` when it cannot sign."""
    pki = pki or PkiFiles(Path(settings.MOTCUA_PKI_DIR))
    kind = settings.MOTCUA_SIGNER_PROVIDER.strip().lower()
    if kind == "software":
        if not pki.key_path(name).exists():
            raise SigningError(f"Không có chứng thư số cho {name} / No certificate for {name}.")
        return SoftwareSigner(pki=pki, name=name)
    if kind == "pkcs11":
        from motcua.signatures.providers.pkcs11 import Pkcs11Signer

        return Pkcs11Signer(pki=pki, name=name)
    if kind == "csc":
        from motcua.signatures.providers.csc import CscSigner

        return CscSigner(pki=pki, name=name)
    raise SigningError(
        f"MOTCUA_SIGNER_PROVIDER={kind!r} không hợp lệ / is not one of {', '.join(PROVIDERS)}."
    )
