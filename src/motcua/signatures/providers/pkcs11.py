"""Keys in a PKCS#11 token or HSM (tested with SoftHSM2), through pyHanko's ``PKCS11Signer``.

The private key never leaves the token: pyHanko hashes, the token signs. Key and certificate are found by
label, and the label is the official's username (``motcua pki softhsm`` imports the demo officials that way).

One logged-in session per token is kept for the life of the process: logging in costs a round trip to the
HSM (and PKCS#11 allows one login per token and process, so a second session would fail with
``UserAlreadyLoggedIn``). python-pkcs11 serialises operations on a session with a lock, so threads may share
it; a session that breaks (HSM restarted, token removed, objects re-imported) is dropped, the signature
fails with a transient ``SigningError``, and the next one opens a fresh session."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

import pkcs11
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from pkcs11 import Attribute, ObjectClass
from pkcs11.util.rsa import decode_rsa_private_key
from pkcs11.util.x509 import decode_x509_certificate
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.sign import signers
from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

from motcua.signatures.signing import (
    PkiFiles,
    SignerProvider,
    SigningError,
    _asn1_cert,
    certificate_check_usable,
)

logger = logging.getLogger(__name__)


def _error_message(exc: BaseException, *, module: str, token_label: str) -> str:
    """A message an administrator can act on, in Vietnamese and English."""
    if isinstance(exc, pkcs11.exceptions.PinIncorrect):
        return (
            f"Sai mã PIN của token '{token_label}' (MOTCUA_PKCS11_PIN) / "
            f"Wrong PIN for PKCS#11 token '{token_label}'."
        )
    if isinstance(exc, pkcs11.exceptions.PinLocked):
        return f"Token '{token_label}' đã bị khóa PIN / The PIN of token '{token_label}' is locked."
    if isinstance(exc, pkcs11.exceptions.PinLenRange):
        return f"Mã PIN có độ dài không hợp lệ / The PIN length is not valid for token '{token_label}'."
    text = str(exc)
    if "loading" in text or "No token" in text or isinstance(exc, pkcs11.exceptions.NoSuchToken):
        return (
            f"Không mở được token PKCS#11 '{token_label}' qua thư viện {module} / "
            f"Cannot open PKCS#11 token '{token_label}' with module {module}: {text}"
        )
    return f"Lỗi token PKCS#11 / PKCS#11 token error: [{type(exc).__name__}] {text}"


class _TokenSigner(PKCS11Signer):
    """pyHanko's signer, plus: a broken session is dropped so that the next signature opens a new one."""

    def __init__(self, session: pkcs11.Session, *, token: _Token, **kwargs: Any) -> None:
        super().__init__(session, **kwargs)
        self._token = token

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        try:
            return await super().async_sign_raw(data, digest_algorithm, dry_run=dry_run)
        except pkcs11.PKCS11Error as exc:
            self._token.reset()
            raise SigningError(
                "Token/HSM không ký được, hãy thử lại / The token or HSM failed to sign, try again: "
                f"[{type(exc).__name__}] {exc}",
                permanent=False,
            ) from exc


@dataclass
class _Token:
    """The process-wide session of one token, and the signers (key handle + certificate) found in it."""

    module: str
    label: str
    pin: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    session: pkcs11.Session | None = None
    signers: dict[str, _TokenSigner] = field(default_factory=dict)

    def signer(self, *, name: str, pin: str, chain: list[asn1_x509.Certificate]) -> _TokenSigner:
        with self.lock:
            if pin != self.pin:
                self._close()
                self.pin = pin
            cached = self.signers.get(name)
            if cached is not None:
                return cached
            session = self._open()
            signer = _TokenSigner(
                session, token=self, cert_label=name, key_label=name, ca_chain=chain, embed_roots=True
            )
            try:
                # Find the key and the certificate now (not inside the event loop of the first signature),
                # so that a missing object is reported when the provider is created.
                signer._load_objects()  # type: ignore[no-untyped-call]  # unannotated in pyHanko
            except pkcs11.PKCS11Error as exc:
                raise SigningError(
                    f"Token '{self.label}' không có khóa và chứng thư số nhãn '{name}' / "
                    f"Token '{self.label}' holds no key and certificate labelled '{name}': {exc}"
                ) from exc
            self.signers[name] = signer
            return signer

    def reset(self) -> None:
        with self.lock:
            self._close()

    def _open(self) -> pkcs11.Session:
        if self.session is None:
            try:
                self.session = open_pkcs11_session(
                    self.module, token_criteria=TokenCriteria(label=self.label), user_pin=self.pin
                )
            except pkcs11.PKCS11Error as exc:
                raise SigningError(_error_message(exc, module=self.module, token_label=self.label)) from exc
        return self.session

    def _close(self) -> None:
        self.signers.clear()
        session, self.session = self.session, None
        if session is not None:
            try:
                session.close()
            except pkcs11.PKCS11Error:  # already gone with the device; nothing left to release
                logger.debug("PKCS#11 session of %s was already closed", self.label)


_TOKENS: dict[tuple[str, str], _Token] = {}
_TOKENS_LOCK = threading.Lock()


def _token_get(module: str, label: str) -> _Token:
    with _TOKENS_LOCK:
        token = _TOKENS.get((module, label))
        if token is None:
            token = _TOKENS[(module, label)] = _Token(module=module, label=label)
        return token


def pkcs11_sessions_close(*, finalize: bool = False) -> None:
    """Close every session this process keeps. With ``finalize`` the modules are finalised too, so that the
    next use re-initialises them (SoftHSM2 reads SOFTHSM2_CONF and discovers new tokens only then)."""
    with _TOKENS_LOCK:
        tokens = list(_TOKENS.values())
        _TOKENS.clear()
    for token in tokens:
        token.reset()
    if finalize:
        for module in {t.module for t in tokens} | set(pkcs11._loaded):
            lib = pkcs11._loaded.get(module)
            if lib is not None and lib.initialized:
                lib.finalize()


class Pkcs11Signer(SignerProvider):
    """The official's key in a PKCS#11 token or HSM: key and certificate labelled with the username.
    Configured by MOTCUA_PKCS11_MODULE, MOTCUA_PKCS11_TOKEN_LABEL and MOTCUA_PKCS11_PIN unless given."""

    def __init__(
        self,
        *,
        pki: PkiFiles,
        name: str,
        module: str | None = None,
        token_label: str | None = None,
        pin: str | None = None,
    ) -> None:
        super().__init__(pki=pki)
        module = module if module is not None else settings.MOTCUA_PKCS11_MODULE
        token_label = token_label if token_label is not None else settings.MOTCUA_PKCS11_TOKEN_LABEL
        pin = pin if pin is not None else settings.MOTCUA_PKCS11_PIN
        if not module or not token_label or not pin:
            # Without a login the private keys are invisible, which would read as "no key" further on.
            raise SigningError(
                "Chưa cấu hình token PKCS#11 / Set MOTCUA_PKCS11_MODULE, MOTCUA_PKCS11_TOKEN_LABEL "
                "and MOTCUA_PKCS11_PIN."
            )
        chain = [_asn1_cert(pki.cert("issuing")), _asn1_cert(pki.cert("root"))]
        self._signer = _token_get(module, token_label).signer(name=name, pin=pin, chain=chain)
        self.certificate = x509.load_der_x509_certificate(self._signer.signing_cert.dump())
        certificate_check_usable(self.certificate)

    def pyhanko_signer(self) -> signers.Signer:
        # The signer outlives a request, so the validity period is checked at every signature.
        certificate_check_usable(self.certificate)
        return self._signer


def pkcs11_objects_import(
    *, module: str, token_label: str, pin: str, pki: PkiFiles, names: list[str]
) -> list[str]:
    """Put each official's private key and certificate (label = username, a shared CKA_ID) and the CA
    certificates into the token, replacing objects with the same label. Returns the labels written."""
    pkcs11_sessions_close()
    try:
        token = pkcs11.lib(module).get_token(token_label=token_label)
        session = token.open(rw=True, user_pin=pin)
    except pkcs11.PKCS11Error as exc:
        raise SigningError(_error_message(exc, module=module, token_label=token_label)) from exc
    written = []
    try:
        for name in ["root", "issuing", *names]:
            cert = pki.cert(name)
            key_id = x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest
            for obj in list(session.get_objects({Attribute.LABEL: name})):
                obj.destroy()
            cert_attrs = decode_x509_certificate(cert.public_bytes(serialization.Encoding.DER))
            cert_attrs.update({Attribute.TOKEN: True, Attribute.LABEL: name, Attribute.ID: key_id})
            session.create_object(cert_attrs)
            if name not in ("root", "issuing"):
                key = serialization.load_pem_private_key(pki.key_path(name).read_bytes(), password=None)
                der = key.private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.TraditionalOpenSSL,  # PKCS#1, what the decoder reads
                    serialization.NoEncryption(),
                )
                key_attrs = decode_rsa_private_key(der)
                key_attrs.update(
                    {
                        Attribute.CLASS: ObjectClass.PRIVATE_KEY,
                        Attribute.TOKEN: True,
                        Attribute.PRIVATE: True,
                        Attribute.SENSITIVE: True,
                        Attribute.EXTRACTABLE: False,
                        Attribute.SIGN: True,
                        Attribute.DECRYPT: False,
                        Attribute.UNWRAP: False,
                        Attribute.LABEL: name,
                        Attribute.ID: key_id,
                    }
                )
                session.create_object(key_attrs)
            written.append(name)
    finally:
        session.close()
    return written
