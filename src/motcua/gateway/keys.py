"""The gateway's signing key (Ed25519: a signature per logged exchange costs ~50 µs) and its certificate.

``gateway.key.pem`` / ``gateway.crt.pem`` in ``MOTCUA_GATEWAY_KEY_DIR`` (default: the PKI directory). The
demo (``motcua gateway seed-demo``) creates them, the certificate issued by the demo issuing CA when the demo
PKI is there (self-signed otherwise). A province puts a key and certificate from its CA there instead."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.x509.oid import NameOID
from django.conf import settings

from motcua.core import clock

KEY_FILE = "gateway.key.pem"
CERT_FILE = "gateway.crt.pem"


class GatewayKeyMissingError(Exception):
    pass


@dataclass(frozen=True)
class GatewayKey:
    key: ed25519.Ed25519PrivateKey
    certificate: x509.Certificate
    ca_certificates: tuple[x509.Certificate, ...]

    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    def ca_pems(self) -> list[str]:
        return [c.public_bytes(serialization.Encoding.PEM).decode() for c in self.ca_certificates]


def key_directory() -> Path:
    return Path(getattr(settings, "MOTCUA_GATEWAY_KEY_DIR", "") or settings.MOTCUA_PKI_DIR)


@functools.lru_cache(maxsize=4)
def _load(directory: str, mtime_ns: int) -> GatewayKey:
    path = Path(directory)
    key = serialization.load_pem_private_key((path / KEY_FILE).read_bytes(), password=None)
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise GatewayKeyMissingError(f"{path / KEY_FILE} is not an Ed25519 key")
    cert = x509.load_pem_x509_certificate((path / CERT_FILE).read_bytes())
    cas = []
    for name in ("issuing", "root"):
        ca_path = path / f"{name}.crt.pem"
        if ca_path.exists():
            ca = x509.load_pem_x509_certificate(ca_path.read_bytes())
            if ca.subject == cert.issuer:
                cas.append(ca)
    return GatewayKey(key=key, certificate=cert, ca_certificates=tuple(cas))


def gateway_key() -> GatewayKey:
    directory = key_directory()
    path = directory / KEY_FILE
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise GatewayKeyMissingError(
            f"No gateway key in {directory}: run `motcua gateway seed-demo` (or `motcua gateway key`)."
        ) from None
    return _load(str(directory), mtime)


def gateway_key_create(directory: Path, *, force: bool = False) -> bool:
    """Creates the key and certificate in ``directory`` unless there (returns whether it did)."""
    if (directory / KEY_FILE).exists() and not force:
        return False
    directory.mkdir(parents=True, exist_ok=True)
    key = ed25519.Ed25519PrivateKey.generate()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tỉnh Minh Sơn (thử nghiệm)"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Motcua LGSP gateway"),
        ]
    )
    issuer_name, issuer_key = subject, None
    if (directory / "issuing.key.pem").exists() and (directory / "issuing.crt.pem").exists():
        issuer_cert = x509.load_pem_x509_certificate((directory / "issuing.crt.pem").read_bytes())
        issuer_name = issuer_cert.subject
        issuer_key = serialization.load_pem_private_key(
            (directory / "issuing.key.pem").read_bytes(), password=None
        )
    start = clock.now() - dt.timedelta(days=1)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    )
    # Self-signed without the demo PKI (Ed25519 signs without a separate hash), else by the issuing CA.
    signer, algorithm = (key, None) if issuer_key is None else (issuer_key, hashes.SHA256())
    cert = builder.sign(signer, algorithm)  # type: ignore[arg-type]
    key_path = directory / KEY_FILE
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_path.chmod(0o600)
    (directory / CERT_FILE).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return True
