"""A provincial test PKI for the demo and the tests: root CA → issuing CA → officials' and agency
certificates, plus a time-stamping authority. Keys are written under var/pki (mode 0600), never committed.

A real province uses the Government Cipher Committee's specialised public-service CA (Decree 68/2024) or a
public CA (Decree 23/2025); only the trust list changes."""

from __future__ import annotations

import datetime as dt
import functools
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from motcua.core import clock


@dataclass(frozen=True)
class Issued:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey


def _name(common_name: str, org: str = "Tỉnh Minh Sơn (thử nghiệm)", unit: str = "") -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
    ]
    if unit:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attrs)


def _issue(
    *,
    subject: x509.Name,
    issuer: Issued | None,
    ca: bool,
    days: int,
    path_length: int | None = None,
    eku: list[x509.ObjectIdentifier] | None = None,
    not_before: dt.datetime | None = None,
    crl_url: str = "",
) -> Issued:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start = not_before or (clock.now() - dt.timedelta(days=1))
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    else:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    if crl_url:
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(crl_url)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
    signer_key = issuer.key if issuer else key
    return Issued(cert=builder.sign(signer_key, hashes.SHA256()), key=key)


# Where relying parties would fetch the CRLs; our own validation gets them from var/pki instead (no network).
CRL_BASE = "http://127.0.0.1:8000/pki/"
# The demo CAs that publish CRLs (``<name>.crl.der`` here, served at ``CRL_BASE<name>.crl``).
DEMO_CAS = ("root", "issuing")


@dataclass(frozen=True)
class DemoPki:
    root: Issued
    issuing: Issued
    tsa: Issued
    signers: dict[str, Issued]


def pki_demo_build(*, people: dict[str, tuple[str, str]]) -> DemoPki:
    """``people``: key → (common name, unit). Builds a fresh hierarchy (RSA-2048, SHA-256)."""
    root = _issue(subject=_name("Motcua Demo Root CA"), issuer=None, ca=True, days=3650, path_length=1)
    issuing = _issue(
        subject=_name("Motcua Demo Issuing CA"),
        issuer=root,
        ca=True,
        days=1825,
        path_length=0,
        crl_url=CRL_BASE + "root.crl",
    )
    # The TSA hangs off the root, not off the officials' issuing CA (as a national TSA does): the current
    # CRL that keeps the newest document time-stamp valid then says nothing about an official's expired
    # certificate, whose check slides back to the CRLs embedded at signing (verification.py).
    tsa = _issue(
        subject=_name("Motcua Demo TSA"),
        issuer=root,
        ca=False,
        days=1825,
        eku=[ExtendedKeyUsageOID.TIME_STAMPING],
        crl_url=CRL_BASE + "root.crl",
    )
    signers = {
        key: _issue(
            subject=_name(cn, unit=unit), issuer=issuing, ca=False, days=730, crl_url=CRL_BASE + "issuing.crl"
        )
        for key, (cn, unit) in people.items()
    }
    return DemoPki(root=root, issuing=issuing, tsa=tsa, signers=signers)


def pki_write(pki: DemoPki, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    items = {"root": pki.root, "issuing": pki.issuing, "tsa": pki.tsa, **pki.signers}
    for name, issued in items.items():
        (directory / f"{name}.crt.pem").write_bytes(issued.cert.public_bytes(serialization.Encoding.PEM))
        key_path = directory / f"{name}.key.pem"
        key_path.write_bytes(
            issued.key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        key_path.chmod(0o600)

    for ca_name in DEMO_CAS:
        crl_write(directory, ca_name=ca_name)


@functools.lru_cache(maxsize=16)
def _private_key_load(path: str, mtime_ns: int, size: int) -> rsa.RSAPrivateKey:
    """A CA key, parsed once per version of its file (a parse costs ~80 ms: the demo CAs issue a CRL at
    every signature)."""
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def crl_write(
    directory: Path,
    *,
    ca_name: str,
    revoked_serials: tuple[int, ...] = (),
    this_update: dt.datetime | None = None,
    revoked_at: dt.datetime | None = None,
) -> None:
    """An up-to-date CRL of ``ca_name`` (valid 30 days from ``this_update``, default five minutes ago),
    listing ``revoked_serials`` (revoked at ``revoked_at``, default a minute ago)."""
    ca_cert = x509.load_pem_x509_certificate((directory / f"{ca_name}.crt.pem").read_bytes())
    key_path = directory / f"{ca_name}.key.pem"
    stat = key_path.stat()
    ca_key = _private_key_load(str(key_path), stat.st_mtime_ns, stat.st_size)
    now = clock.now()
    issued = this_update or now - dt.timedelta(minutes=5)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(issued)
        .next_update(issued + dt.timedelta(days=30))
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
    )
    for serial in revoked_serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(revoked_at or now - dt.timedelta(minutes=1))
            .build()
        )
    crl = builder.sign(ca_key, hashes.SHA256())
    # Atomically: signing in another process may be reading the previous CRL.
    path = directory / f"{ca_name}.crl.der"
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    partial.write_bytes(crl.public_bytes(serialization.Encoding.DER))
    os.replace(partial, path)


def demo_crls_issue(directory: Path) -> list[str]:
    """New CRLs of the demo CAs whose keys are in ``directory`` (the same revoked serials), dated from the
    next whole second: a CRL's time has no fraction, and it must not predate the signature it vouches for.
    Returns the CA names re-issued (none outside a demo PKI)."""
    now = clock.now()
    this_update = now.replace(microsecond=0) + dt.timedelta(seconds=1 if now.microsecond else 0)
    issued = []
    for name in DEMO_CAS:
        if not (directory / f"{name}.key.pem").exists() or not (directory / f"{name}.crt.pem").exists():
            continue
        path = directory / f"{name}.crl.der"
        revoked: tuple[int, ...] = ()
        if path.exists():
            revoked = tuple(entry.serial_number for entry in x509.load_der_x509_crl(path.read_bytes()))
        crl_write(directory, ca_name=name, revoked_serials=revoked, this_update=this_update)
        issued.append(name)
    return issued


def demo_crls_refresh_if_stale(directory: Path, *, margin: dt.timedelta = dt.timedelta(days=7)) -> list[str]:
    """The demo CAs publish nowhere else, so nothing else keeps their 30-day CRLs current: re-issue one
    whose nextUpdate falls within ``margin`` (same revoked serials). Returns the CA names re-issued."""
    refreshed = []
    for name in DEMO_CAS:
        path = directory / f"{name}.crl.der"
        if not path.exists() or not (directory / f"{name}.key.pem").exists():
            continue
        crl = x509.load_der_x509_crl(path.read_bytes())
        if crl.next_update_utc is not None and crl.next_update_utc > clock.now() + margin:
            continue
        crl_write(directory, ca_name=name, revoked_serials=tuple(entry.serial_number for entry in crl))
        refreshed.append(name)
    return refreshed
