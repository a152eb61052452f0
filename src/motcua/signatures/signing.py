"""PAdES signing behind one small interface. Contract: ``sign(pdf, reason, location)`` MUST return the signed
PDF (an incremental update, so earlier signatures stay valid) or raise ``SigningError``; it MUST NOT change
the document's content. The software provider is the demo; PKCS#11 and remote (CSC) providers come next."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import io
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.signers import PdfTimeStamper
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko.sign.validation.dss import async_add_validation_info
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from motcua.core import clock
from motcua.signatures.appearance import Placement
from motcua.simulators.demo_keys import DemoTimeStamper, parsed_keys_memoised


class _ParsedKeySigner(signers.SimpleSigner):
    """A key file's signer whose key is parsed once (see ``_parsed_keys_memoised``)."""

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        with parsed_keys_memoised():
            return super().sign_raw(data, digest_algorithm)


# Document time-stamp fields (PAdES B-LTA): one at signing, then one per archive run (archive.py).
DOCUMENT_TIMESTAMP_FIELD_PREFIX = "LuuTruDaiHan"  # "long-term archive"

# A time-stamp is one small POST; a TSA slower than this is down, and signing should say so.
TSA_TIMEOUT_SECONDS = 10


class SigningError(Exception):
    def __init__(self, message: str, *, permanent: bool = True) -> None:
        super().__init__(message)
        self.permanent = permanent


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _asn1_key(path: Path) -> asn1_keys.PrivateKeyInfo:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return asn1_keys.PrivateKeyInfo.load(der)


@dataclass(frozen=True)
class PkiFiles:
    directory: Path
    # Trust and revocation data for signing: the managed trust list (signatures/trust.py) or this
    # directory's files. None = the trust list for the deployment's own directory (MOTCUA_PKI_DIR), the
    # files for any other one (tests and benchmarks build throw-away PKIs without a database).
    trust_list: bool | None = None

    def cert(self, name: str) -> x509.Certificate:
        return x509.load_pem_x509_certificate((self.directory / f"{name}.crt.pem").read_bytes())

    def key_path(self, name: str) -> Path:
        return self.directory / f"{name}.key.pem"

    def uses_trust_list(self) -> bool:
        if self.trust_list is not None:
            return self.trust_list
        return self.directory.resolve() == Path(settings.MOTCUA_PKI_DIR).resolve()

    def revocation_data_refresh(self) -> None:
        """Revocation data issued *after* the signature just made, so that it proves the certificate was
        not revoked when signed (ETSI EN 319 102-1 past validation needs that). The demo CAs, whose keys are
        in this directory, issue new CRLs now (and the trust list takes them); a real CA's CRLs are fetched
        from its distribution points where ``MOTCUA_REVOCATION_FETCHING`` is on; otherwise the newest held
        CRLs serve."""
        from motcua.signatures.pki import demo_crls_issue

        issued = demo_crls_issue(self.directory)
        if issued and self.uses_trust_list():
            from motcua.signatures.trust import trust_list_crls_import

            trust_list_crls_import(directory=self.directory, names=issued, refresh_only=True)
        elif not issued and settings.MOTCUA_REVOCATION_FETCHING and self.uses_trust_list():
            from motcua.signatures.revocation import revocation_lists_refresh

            revocation_lists_refresh()

    def validation_context(self) -> ValidationContext:
        """The roots, CAs and CRLs a signature is checked against while signing (and whose chain and CRLs
        are embedded for B-LT): the trust list, falling back to this directory's files while it is empty."""
        from motcua.signatures.trust import (
            trust_material_current,
            trust_material_from_files,
            validation_context_for,
        )

        if self.uses_trust_list():
            material = trust_material_current(directory=self.directory)
        else:
            material = trust_material_from_files(self.directory)
        return validation_context_for(material)


def tsa_credentials(
    pki: PkiFiles,
) -> tuple[asn1_x509.Certificate, asn1_keys.PrivateKeyInfo, list[asn1_x509.Certificate]]:
    """The demo TSA's certificate, key and the CA certificate a time-stamp token carries (its issuer: the
    root since the TSA got its own branch, the issuing CA in PKIs made before)."""
    tsa = pki.cert("tsa")
    issuer = next(
        (pki.cert(name) for name in ("issuing", "root") if pki.cert(name).subject == tsa.issuer),
        pki.cert("issuing"),
    )
    return _asn1_cert(tsa), _asn1_key(pki.key_path("tsa")), [_asn1_cert(issuer)]


@functools.lru_cache(maxsize=8)  # parsing the TSA key costs ~40 ms; a PkiFiles names one directory
def _timestamper(pki: PkiFiles, url: str) -> TimeStamper:
    if url:
        return HTTPTimeStamper(url, timeout=TSA_TIMEOUT_SECONDS)
    cert, key, chain = tsa_credentials(pki)
    return DemoTimeStamper(
        tsa_cert=cert, tsa_key=key, certs_to_embed=SimpleCertificateStore.from_certs(chain)
    )


def timestamper_for(pki: PkiFiles) -> TimeStamper:
    """The RFC 3161 time-stamp authority: the one at MOTCUA_TSA_URL when set (``make run`` starts a local
    one, ``motcua tsa serve``), else an in-process authority with the demo TSA key (tests, benchmarks)."""
    return _timestamper(pki, settings.MOTCUA_TSA_URL)


def certificate_check_usable(cert: x509.Certificate) -> None:
    """A certificate outside its validity period cannot sign (revocation is checked while signing)."""
    now = clock.now()
    if not (cert.not_valid_before_utc <= now <= cert.not_valid_after_utc):
        raise SigningError(
            "Chứng thư số đã hết hạn hoặc chưa có hiệu lực / The certificate is expired or not yet valid."
        )


_SIGNING_LOCK = threading.RLock()


class SignerProvider(ABC):
    """Where the private key lives: a key file (demo), a PKCS#11 token or HSM, or a remote signing service.
    Subclasses give pyHanko a ``Signer``; the PAdES part (fields, time-stamp, validation data) is shared."""

    def __init__(self, *, pki: PkiFiles) -> None:
        self.pki = pki

    @abstractmethod
    def pyhanko_signer(self) -> signers.Signer: ...

    def signer_common_name(self) -> str:
        """The signer's name as their certificate gives it (what the visible signature shows)."""
        cert = self.pyhanko_signer().signing_cert
        return str(cert.subject.native.get("common_name", "")) if cert is not None else ""

    def sign(
        self,
        *,
        pdf: bytes,
        reason: str,
        location: str,
        field_name: str,
        appearance: tuple[Placement, TextStampStyle] | None = None,
    ) -> bytes:
        """``appearance``: where and how the signature shows (Decree 30 images, appearance.py); None
        signs invisibly (forms signed by the system)."""
        # One signature at a time per process: the cached signers, certificates and time-stamper are
        # asn1crypto objects that parse lazily and are not safe to share between threads (seen as a
        # corrupted certificate URI under a threaded test). Signing is CPU-bound under the GIL anyway.
        with _SIGNING_LOCK:
            return self._sign(
                pdf=pdf, reason=reason, location=location, field_name=field_name, appearance=appearance
            )

    def _sign(
        self,
        *,
        pdf: bytes,
        reason: str,
        location: str,
        field_name: str,
        appearance: tuple[Placement, TextStampStyle] | None,
    ) -> bytes:
        try:
            signer = self.pyhanko_signer()
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
            spec = fields.SigFieldSpec(sig_field_name=field_name)
            if appearance is not None:
                placement = appearance[0]
                spec = fields.SigFieldSpec(
                    sig_field_name=field_name, on_page=placement.page, box=placement.box
                )
            fields.append_signature_field(writer, spec)
            # The chain and revocation data go in *after* signing (long_term_data_add), issued after the
            # signature; that step also refuses a certificate that is revoked or not trusted.
            meta = signers.PdfSignatureMetadata(
                field_name=field_name,
                reason=reason,
                location=location,
                md_algorithm="sha256",
                subfilter=fields.SigSeedSubFilter.PADES,
            )
            out = signers.PdfSigner(
                meta,
                signer=signer,
                timestamper=timestamper_for(self.pki),
                stamp_style=appearance[1] if appearance is not None else None,
            ).sign_pdf(writer)
            return long_term_data_add(bytes(out.getvalue()), pki=self.pki)
        except SigningError:
            raise
        except Exception as exc:  # pyHanko raises many types; the caller needs one
            raise SigningError(f"Không ký được tài liệu / Signing failed: {exc}") from exc


def long_term_data_add(pdf: bytes, *, pki: PkiFiles) -> bytes:
    """Make the newest signature of ``pdf`` verifiable for as long as the archive keeps the file (PAdES
    B-LTA): revocation data issued after it for every CA certificate of the signer's and the time-stamp
    authority's chains goes into the DSS, then a document time-stamp covers everything. A validator can
    then check the signature after the signer's certificate has expired (verification.py). Each step is an
    incremental update; the archive job renews the time-stamp before its certificate expires."""
    pki.revocation_data_refresh()
    context = pki.validation_context()
    reader = PdfFileReader(io.BytesIO(pdf))
    signature = reader.embedded_regular_signatures[-1]
    with_data = asyncio.run(async_add_validation_info(signature, context, skip_timestamp=False))
    field_name = f"{DOCUMENT_TIMESTAMP_FIELD_PREFIX}{len(reader.embedded_timestamp_signatures) + 1}"
    # No validation context here: the DSS already holds the TSA's chain and CRLs (from the signature's own
    # time-stamp, same TSA), and another DSS revision after the stamp would only slow every verification.
    stamped = PdfTimeStamper(timestamper_for(pki), field_name=field_name).timestamp_pdf(
        IncrementalPdfFileWriter(with_data), "sha256"
    )
    return bytes(stamped.getvalue())


class SoftwareSigner(SignerProvider):
    """A key file on disk (demo). The loaded key is kept, because pyHanko would re-parse it on every
    signature (stack.md §3: ~50 ms per load)."""

    def __init__(self, *, pki: PkiFiles, name: str) -> None:
        super().__init__(pki=pki)
        cert = pki.cert(name)
        certificate_check_usable(cert)
        self._signer = _ParsedKeySigner(
            signing_cert=_asn1_cert(cert),
            signing_key=_asn1_key(pki.key_path(name)),
            cert_registry=SimpleCertificateStore.from_certs(
                [_asn1_cert(pki.cert("issuing")), _asn1_cert(pki.cert("root"))]
            ),
        )

    def pyhanko_signer(self) -> signers.Signer:
        return self._signer


def timestamp_valid_until(pki: PkiFiles) -> dt.datetime | None:
    """Until when a document's time-stamps can be checked: the TSA certificate's end. The archive job
    adds a document time-stamp (B-LTA) before then. Unknown for an outside TSA: the job then stamps on
    its next run."""
    if not (pki.directory / "tsa.crt.pem").exists():
        return None
    return pki.cert("tsa").not_valid_after_utc
