"""The managed trust list: which root and intermediate CAs verification and signing accept, and the newest
CRL of each. Administrators keep it in the admin (the Government CA of Ban Cơ yếu Chính phủ, licensed public
CAs; in the demo the provincial test root, registered by ``motcua pki demo``).

Until an administrator has registered a certificate, the PKI directory's files are trusted instead
(``root*.crt.pem``, ``issuing*.crt.pem``, ``*.crl.der``), so a fresh checkout and the tests keep working."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.db import IntegrityError, transaction
from pyhanko_certvalidator import ValidationContext

from motcua.core import clock
from motcua.core.errors import ApplicationError
from motcua.signatures.models import RevocationList, TrustedCertificate


@dataclass(frozen=True)
class TrustMaterial:
    """Trust anchors, other CA certificates and CRLs, as pyHanko wants them (asn1crypto objects)."""

    roots: list[asn1_x509.Certificate] = field(default_factory=list)
    intermediates: list[asn1_x509.Certificate] = field(default_factory=list)
    crls: list[asn1_crl.CertificateList] = field(default_factory=list)
    source: str = "trust_list"  # or "files": where the material came from (shown to operators)


def certificate_load(data: str | bytes) -> x509.Certificate:
    """A certificate from PEM text or DER bytes; ApplicationError when it is neither."""
    raw = data.encode() if isinstance(data, str) else data
    try:
        if b"-----BEGIN CERTIFICATE-----" in raw:
            return x509.load_pem_x509_certificate(raw.strip())
        return x509.load_der_x509_certificate(raw)
    except ValueError as exc:
        raise ApplicationError(
            "Không đọc được chứng thư số (cần tệp PEM hoặc DER) / Not a readable certificate (PEM or DER).",
            {"field": "certificate_pem"},
        ) from exc


def fingerprint_sha256(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def certificate_check_trustable(cert: x509.Certificate) -> None:
    """The rules a certificate must meet before it may enter the trust list: a CA certificate (only CAs
    vouch for others), not expired, and not already listed."""
    if not _is_ca(cert):
        raise ApplicationError(
            "Chứng thư số không phải của tổ chức cung cấp dịch vụ chứng thực (CA) / "
            "The certificate is not a CA certificate.",
            {"field": "certificate_pem"},
        )
    if cert.not_valid_after_utc < clock.now():
        raise ApplicationError(
            "Chứng thư số đã hết hạn / The certificate has expired.",
            {"field": "certificate_pem", "not_after": cert.not_valid_after_utc.isoformat()},
        )
    if TrustedCertificate.objects.filter(fingerprint_sha256=fingerprint_sha256(cert)).exists():
        raise ApplicationError(
            "Chứng thư số này đã có trong danh sách tin cậy / The certificate is already in the trust list.",
            {"field": "certificate_pem"},
        )


def _common_name(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def trusted_certificate_add(
    *,
    pem: str | bytes,
    name: str = "",
    kind: str = TrustedCertificate.Kind.ROOT,
    source: str = "",
    crl_urls: Iterable[str] = (),
    ocsp_url: str = "",
) -> TrustedCertificate:
    """Add a root or intermediate CA to the trust list. ``crl_urls``: where the CRL *issued by this CA* is
    published (the refresh job fetches it). Raises ApplicationError for a non-CA, expired or duplicate
    certificate."""
    if kind not in TrustedCertificate.Kind.values:
        raise ApplicationError("Loại chứng thư không hợp lệ / Unknown kind.", {"field": "kind"})
    cert = certificate_load(pem)
    certificate_check_trustable(cert)
    trusted = TrustedCertificate(
        name=(name or _common_name(cert))[:255],
        kind=kind,
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        fingerprint_sha256=fingerprint_sha256(cert),
        subject=cert.subject.rfc4514_string()[:500],
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        source=source[:255],
        crl_urls=[url.strip() for url in crl_urls if url.strip()],
        ocsp_url=ocsp_url,
    )
    try:
        with transaction.atomic():
            trusted.save()
    except IntegrityError as exc:  # the same certificate added twice at the same moment
        raise ApplicationError(
            "Chứng thư số này đã có trong danh sách tin cậy / The certificate is already in the trust list.",
            {"field": "certificate_pem"},
        ) from exc
    return trusted


def trusted_certificates_enable(*, ids: Iterable[int], enabled: bool) -> int:
    """Switch certificates on or off (disabling keeps the row and its CRLs, for the record)."""
    return TrustedCertificate.objects.filter(pk__in=list(ids)).update(enabled=enabled)


def asn1_certificate(cert_pem: str) -> asn1_x509.Certificate:
    """A PEM certificate as pyHanko wants it (asn1crypto)."""
    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def revocation_list_newest(issuer: TrustedCertificate) -> RevocationList | None:
    return issuer.crls.order_by("-this_update", "-fetched_at", "-pk").first()


def trust_material() -> TrustMaterial:
    """The enabled trust-list certificates and the newest CRL of each (empty when nothing is registered)."""
    trusted = list(TrustedCertificate.objects.filter(enabled=True).order_by("pk"))
    crls: list[asn1_crl.CertificateList] = []
    for certificate in trusted:
        newest = revocation_list_newest(certificate)
        if newest is not None:
            crls.append(asn1_crl.CertificateList.load(bytes(newest.crl_der)))
    return TrustMaterial(
        roots=[
            asn1_certificate(c.certificate_pem) for c in trusted if c.kind == TrustedCertificate.Kind.ROOT
        ],
        intermediates=[
            asn1_certificate(c.certificate_pem)
            for c in trusted
            if c.kind == TrustedCertificate.Kind.INTERMEDIATE
        ],
        crls=crls,
        source="trust_list",
    )


def trust_files(directory: Path) -> tuple[list[Path], list[Path], list[Path]]:
    """The files of a PKI directory trusted when the trust list is empty: roots, issuing CAs, CRLs."""
    return (
        sorted(directory.glob("root*.crt.pem")),
        sorted(directory.glob("issuing*.crt.pem")),
        sorted(directory.glob("*.crl.der")),
    )


def trust_material_from_files(directory: Path) -> TrustMaterial:
    roots, intermediates, crls = trust_files(directory)
    return TrustMaterial(
        roots=[asn1_certificate(p.read_text()) for p in roots],
        intermediates=[asn1_certificate(p.read_text()) for p in intermediates],
        crls=[asn1_crl.CertificateList.load(p.read_bytes()) for p in crls],
        source="files",
    )


def trust_material_current(*, directory: Path | None = None) -> TrustMaterial:
    """The trust list; the PKI directory's files (default ``MOTCUA_PKI_DIR``) while the list is empty.
    A list whose certificates are all disabled is not empty: it trusts nobody (no silent fallback)."""
    if TrustedCertificate.objects.exists():
        return trust_material()
    return trust_material_from_files(directory or Path(settings.MOTCUA_PKI_DIR))


def validation_context_for(material: TrustMaterial, *, fetching: bool | None = None) -> ValidationContext:
    """A pyHanko validation context over ``material``. Revocation is *hard-fail* (a certificate that names
    a CRL or OCSP responder must be checked) when we hold CRLs or may fetch them, else *soft-fail* — a
    trust list without any revocation data would otherwise reject every signature. Fetching (CRL and OCSP
    URLs named in the certificates) only where ``MOTCUA_REVOCATION_FETCHING`` is on."""
    fetch = settings.MOTCUA_REVOCATION_FETCHING if fetching is None else fetching
    return ValidationContext(
        trust_roots=material.roots,
        other_certs=material.intermediates,
        crls=material.crls,
        allow_fetching=fetch,
        revocation_mode="hard-fail" if (material.crls or fetch) else "soft-fail",
    )


DEMO_SOURCE = "motcua pki demo (thử nghiệm / test only)"


def trust_list_import_pki(*, directory: Path, crl_base: str, source: str = DEMO_SOURCE) -> dict[str, int]:
    """Register a PKI directory's root and issuing CA (idempotent) and import their CRL files; earlier
    certificates from the same ``source`` are disabled (``motcua pki demo --force`` made a new hierarchy).
    ``crl_base``: where the CAs publish their CRLs (``<base>root.crl``, ``<base>issuing.crl``)."""
    from motcua.signatures.revocation import revocation_list_store

    added = imported = 0
    current: list[int] = []
    for name, kind in (
        ("root", TrustedCertificate.Kind.ROOT),
        ("issuing", TrustedCertificate.Kind.INTERMEDIATE),
    ):
        cert = certificate_load((directory / f"{name}.crt.pem").read_bytes())
        trusted = TrustedCertificate.objects.filter(fingerprint_sha256=fingerprint_sha256(cert)).first()
        if trusted is None:
            trusted = trusted_certificate_add(
                pem=cert.public_bytes(serialization.Encoding.PEM),
                kind=kind,
                source=source,
                crl_urls=[f"{crl_base}{name}.crl"],
            )
            added += 1
        current.append(trusted.pk)
        crl_path = directory / f"{name}.crl.der"
        if crl_path.exists():
            held = revocation_list_newest(trusted)
            try:
                stored = revocation_list_store(
                    issuer=trusted, crl_data=crl_path.read_bytes(), source_url=str(crl_path)
                )
            except ApplicationError:  # older than the stored one: keep the newer
                continue
            imported += held is None or stored.pk != held.pk
    disabled = (
        TrustedCertificate.objects.filter(source=source, enabled=True)
        .exclude(pk__in=current)
        .update(enabled=False)
    )
    return {"added": added, "crls": imported, "disabled": disabled}


def trust_list_crls_import(*, directory: Path, names: Iterable[str], refresh_only: bool = False) -> int:
    """Store the CRL files ``<name>.crl.der`` of ``directory`` for the trust-list CAs whose certificates
    are ``<name>.crt.pem`` (the demo CAs' fresh CRLs, pki.demo_crls_issue). Returns how many were stored;
    a CA not in the list is skipped, and with ``refresh_only`` one that holds no CRL yet (the first CRL
    turns revocation checking on for the whole list: an administrator's decision)."""
    from motcua.signatures.revocation import revocation_list_store

    stored = 0
    for name in names:
        cert = certificate_load((directory / f"{name}.crt.pem").read_bytes())
        trusted = TrustedCertificate.objects.filter(fingerprint_sha256=fingerprint_sha256(cert)).first()
        if trusted is None or (refresh_only and revocation_list_newest(trusted) is None):
            continue
        revocation_list_store(
            issuer=trusted,
            crl_data=(directory / f"{name}.crl.der").read_bytes(),
            source_url=str(directory / f"{name}.crl.der"),
        )
        stored += 1
    return stored
