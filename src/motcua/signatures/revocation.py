"""Certificate revocation lists of the trust-list CAs: imported (demo PKI, admin) or fetched over HTTP by
the refresh job, every one checked against its issuer's signature before it is stored. Verification then
works offline from the stored copies; the job only keeps them fresh.

Fetching happens only where ``MOTCUA_REVOCATION_FETCHING`` is on (off by default: tests and offline
installations never reach the network)."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from collections.abc import Iterable
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.db import transaction

from motcua.core import clock
from motcua.core.errors import ApplicationError
from motcua.signatures.models import RevocationList, TrustedCertificate

logger = logging.getLogger(__name__)

# Large national CAs publish CRLs of several MB; anything past this is not a CRL we want in the database.
MAX_CRL_BYTES = 32 * 1024 * 1024
FETCH_TIMEOUT_SECONDS = 20
# Older copies are kept a little while for the record; verification uses only the newest.
KEEP_PER_ISSUER = 3


class RevocationFetchError(Exception):
    """A CRL could not be fetched; ``permanent`` says whether retrying the same URL can help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def crl_load(data: bytes) -> x509.CertificateRevocationList:
    """A CRL from DER or PEM bytes; ApplicationError when it is neither."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_crl(data.strip())
        return x509.load_der_x509_crl(data)
    except ValueError as exc:
        raise ApplicationError(
            "Không đọc được danh sách thu hồi (CRL) / Not a readable certificate revocation list.",
            {"field": "crl"},
        ) from exc


@transaction.atomic
def revocation_list_store(
    *, issuer: TrustedCertificate, crl_data: bytes, source_url: str = ""
) -> RevocationList:
    """Store a CRL issued by ``issuer`` after checking that the issuer signed it. The same CRL again only
    updates ``fetched_at``; an older one than we hold is refused (a replayed CRL could hide a revocation)."""
    crl = crl_load(crl_data)
    ca = x509.load_pem_x509_certificate(issuer.certificate_pem.encode())
    if crl.issuer != ca.subject or not crl.is_signature_valid(ca.public_key()):  # type: ignore[arg-type]
        raise ApplicationError(
            f"CRL không do {issuer.name} ký / The CRL is not signed by {issuer.name}.",
            {"field": "crl", "issuer": issuer.pk},
        )
    der = crl.public_bytes(serialization.Encoding.DER)
    now = clock.now()
    newest = issuer.crls.select_for_update().order_by("-this_update", "-fetched_at", "-pk").first()
    if newest is not None and bytes(newest.crl_der) == der:
        newest.fetched_at = now
        newest.source_url = source_url or newest.source_url
        newest.save(update_fields=["fetched_at", "source_url"])
        return newest
    if newest is not None and crl.last_update_utc < newest.this_update:
        raise ApplicationError(
            "CRL cũ hơn bản đang lưu / The CRL is older than the one already stored.",
            {"field": "crl", "issuer": issuer.pk},
        )
    stored = RevocationList.objects.create(
        issuer=issuer,
        source_url=source_url[:500],
        crl_der=der,
        this_update=crl.last_update_utc,
        next_update=crl.next_update_utc,
        fetched_at=now,
    )
    stale = issuer.crls.order_by("-this_update", "-fetched_at", "-pk").values_list("pk", flat=True)[
        KEEP_PER_ISSUER:
    ]
    RevocationList.objects.filter(pk__in=list(stale)).delete()
    return stored


def crl_fetch(url: str, *, timeout: float = FETCH_TIMEOUT_SECONDS) -> bytes:
    """GET a CRL (http or https only). Raises RevocationFetchError."""
    if not url.lower().startswith(("http://", "https://")):
        raise RevocationFetchError(f"unsupported CRL URL {url!r}", permanent=True)
    request = urllib.request.Request(url, headers={"User-Agent": "motcua-crl-refresh/1"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 — scheme checked above
            data = response.read(MAX_CRL_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise RevocationFetchError(f"{url}: HTTP {exc.code}", permanent=400 <= exc.code < 500) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise RevocationFetchError(f"{url}: {exc}") from exc
    if len(data) > MAX_CRL_BYTES:
        raise RevocationFetchError(f"{url}: larger than {MAX_CRL_BYTES} bytes", permanent=True)
    return bytes(data)


def revocation_lists_refresh(*, certificate_ids: Iterable[int] | None = None) -> dict[str, Any]:
    """Fetch and store the CRL of every enabled trust-list CA that names CRL URLs (the first URL that
    answers with a valid CRL wins). Failures are logged and counted, never raised: one unreachable CA must
    not stop the others. Does nothing unless ``MOTCUA_REVOCATION_FETCHING`` is on."""
    certificates = TrustedCertificate.objects.filter(enabled=True).exclude(crl_urls=[]).order_by("pk")
    if certificate_ids is not None:
        certificates = certificates.filter(pk__in=list(certificate_ids))
    result: dict[str, Any] = {"fetched": 0, "failed": 0, "skipped": 0, "errors": []}
    if not settings.MOTCUA_REVOCATION_FETCHING:
        result["skipped"] = certificates.count()
        logger.info("CRL refresh skipped: MOTCUA_REVOCATION_FETCHING is off")
        return result
    for certificate in certificates:
        last_error = "no CRL URL"
        for url in certificate.crl_urls or []:
            try:
                revocation_list_store(issuer=certificate, crl_data=crl_fetch(str(url)), source_url=str(url))
            except (RevocationFetchError, ApplicationError) as exc:
                last_error = str(exc)
                logger.warning("CRL refresh of %s from %s failed: %s", certificate.name, url, exc)
                continue
            result["fetched"] += 1
            break
        else:
            result["failed"] += 1
            result["errors"].append(f"{certificate.name}: {last_error}")
    return result
