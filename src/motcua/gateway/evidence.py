"""The message log's integrity, in code that needs no database: the canonical record of one exchange,
its hash chain and Merkle batches, and the evidence file that proves one exchange offline.

* ``content_hash`` = SHA-256 of ``canonical(record)`` (sorted-key compact JSON, UTF-8); the record holds
  the bodies' SHA-256, the evidence file the bodies themselves.
* ``signature`` = Ed25519 signature by the gateway's key over the 32 bytes of ``content_hash``.
* ``entry_hash`` = SHA-256(prev_hash ‖ content_hash ‖ seq as 8 bytes big-endian); the first entry's
  ``prev_hash`` is 64 zeros. Removing or altering an entry breaks every later link.
* A batch ``first_seq..last_seq``: Merkle tree over the entry hashes (leaf = SHA-256(0x00 ‖ h), node =
  SHA-256(0x01 ‖ left ‖ right), an odd last node is carried up as is); the batch statement
  ``{"v", "first_seq", "last_seq", "merkle_root", "chain_head"}`` is time-stamped (RFC 3161, SHA-256 of
  its canonical form as the message imprint).

The format is described for integrators in docs/integration.md."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from asn1crypto import cms, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

EVIDENCE_FORMAT = "motcua-lgsp-evidence/1"
RECORD_VERSION = 1
GENESIS_HASH = "0" * 64


def canonical(data: dict[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def timestamp_text(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds") if value else ""


def entry_hash(prev_hash: str, content_hash: str, seq: int) -> str:
    return hashlib.sha256(
        bytes.fromhex(prev_hash) + bytes.fromhex(content_hash) + seq.to_bytes(8, "big")
    ).hexdigest()


def _leaf(h: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + h).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(hashes_hex: Sequence[str]) -> str:
    if not hashes_hex:
        raise ValueError("empty batch")
    level = [_leaf(bytes.fromhex(h)) for h in hashes_hex]
    while len(level) > 1:
        nxt = [_node(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0].hex()


def merkle_proof(hashes_hex: Sequence[str], index: int) -> list[list[str]]:
    """Siblings from the leaf up: ``[["L" | "R", hex], …]`` (the side the sibling is on)."""
    level = [_leaf(bytes.fromhex(h)) for h in hashes_hex]
    proof: list[list[str]] = []
    while len(level) > 1:
        if index % 2 == 1:
            proof.append(["L", level[index - 1].hex()])
        elif index + 1 < len(level):
            proof.append(["R", level[index + 1].hex()])
        nxt = [_node(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level, index = nxt, index // 2
    return proof


def merkle_fold(leaf_hash_hex: str, proof: Sequence[Sequence[str]]) -> str:
    node = _leaf(bytes.fromhex(leaf_hash_hex))
    for side, sibling_hex in proof:
        sibling = bytes.fromhex(sibling_hex)
        node = _node(sibling, node) if side == "L" else _node(node, sibling)
    return node.hex()


def batch_statement(
    *, first_seq: int, last_seq: int, merkle_root_hex: str, chain_head: str
) -> dict[str, Any]:
    return {
        "v": RECORD_VERSION,
        "first_seq": first_seq,
        "last_seq": last_seq,
        "merkle_root": merkle_root_hex,
        "chain_head": chain_head,
    }


# --- RFC 3161 token check (offline) ---------------------------------------------------------------


@dataclass
class TokenInfo:
    gen_time: dt.datetime
    tsa_subject: str
    tsa_certificate_pem: str


def _verify_with(public_key: Any, signature: bytes, data: bytes, hash_name: str) -> None:
    algorithm = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[hash_name]
    if isinstance(public_key, rsa.RSAPublicKey):
        public_key.verify(signature, data, padding.PKCS1v15(), algorithm)
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, data, ec.ECDSA(algorithm))
    elif isinstance(public_key, ed25519.Ed25519PublicKey):
        public_key.verify(signature, data)
    else:
        raise InvalidSignature("unsupported key type")


def timestamp_token_check(token_der: bytes, imprint_hex: str) -> TokenInfo:
    """Checks that an RFC 3161 token covers SHA-256 ``imprint_hex`` and that its CMS signature is valid
    under the TSA certificate it carries. Raises ``ValueError`` otherwise. (Whether that TSA is trusted is
    the verifier's call: compare its certificate with the TSA's published one.)"""
    info = cms.ContentInfo.load(token_der)
    if info["content_type"].native != "signed_data":
        raise ValueError("not a CMS SignedData")
    signed = info["content"]
    encap = signed["encap_content_info"]
    if encap["content_type"].native != "tst_info":
        raise ValueError("not a time-stamp token")
    tst_bytes = encap["content"].contents
    tst = tsp.TSTInfo.load(tst_bytes)
    imprint = tst["message_imprint"]
    if imprint["hash_algorithm"]["algorithm"].native != "sha256":
        raise ValueError("time-stamp imprint is not SHA-256")
    if imprint["hashed_message"].native != bytes.fromhex(imprint_hex):
        raise ValueError("time-stamp covers another batch")
    signer = signed["signer_infos"][0]
    digest_name = signer["digest_algorithm"]["algorithm"].native
    signed_attrs = signer["signed_attrs"]
    message_digest = next(
        (a["values"][0].native for a in signed_attrs if a["type"].native == "message_digest"), None
    )
    if message_digest != hashlib.new(digest_name, tst_bytes).digest():
        raise ValueError("time-stamp token content altered")
    sid = signer["sid"]
    certificate = None
    for choice in signed["certificates"] or []:
        cert = choice.chosen
        if sid.name == "issuer_and_serial_number":
            if (
                cert.serial_number == sid.chosen["serial_number"].native
                and cert.issuer == sid.chosen["issuer"]
            ):
                certificate = cert
        elif cert.key_identifier == sid.chosen.native:
            certificate = cert
    if certificate is None:
        raise ValueError("time-stamp token carries no TSA certificate")
    crypto_cert = x509.load_der_x509_certificate(certificate.dump())
    attrs_der = signed_attrs.untag().dump(force=True)
    try:
        _verify_with(crypto_cert.public_key(), signer["signature"].native, attrs_der, digest_name)
    except InvalidSignature as exc:
        raise ValueError("time-stamp signature invalid") from exc
    return TokenInfo(
        gen_time=tst["gen_time"].native,
        tsa_subject=crypto_cert.subject.rfc4514_string(),
        tsa_certificate_pem=crypto_cert.public_bytes(serialization.Encoding.PEM).decode(),
    )


# --- evidence files -------------------------------------------------------------------------------


@dataclass
class Verification:
    problems: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def evidence_verify(data: bytes) -> Verification:
    """Everything an evidence file claims, checked with nothing but the file (exit 0 / 1 in the command)."""
    result = Verification()
    try:
        ev = json.loads(data.decode("utf-8"))
        if ev.get("format") != EVIDENCE_FORMAT:
            result.problems.append(f"unknown format {ev.get('format')!r}")
            return result
        record = ev["record"]
        request_body = base64.b64decode(ev["request_body"], validate=True)
        response_body = base64.b64decode(ev["response_body"], validate=True)
        content_hash = ev["content_hash"]
        signature = base64.b64decode(ev["signature"], validate=True)
        certificate = x509.load_pem_x509_certificate(ev["gateway_certificate"].encode())
        chain = ev["chain"]
        batch = ev["batch"]
        proof = ev["merkle_proof"]
        token = base64.b64decode(ev["timestamp_token"], validate=True)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        result.problems.append(f"unreadable evidence file: {exc}")
        return result

    if sha256_hex(request_body) != record.get("request_body_sha256"):
        result.problems.append("request body does not match the logged digest")
    if sha256_hex(response_body) != record.get("response_body_sha256"):
        result.problems.append("response body does not match the logged digest")
    if sha256_hex(canonical(record)) != content_hash:
        result.problems.append("record does not match its content hash")
    public_key = certificate.public_key()
    try:
        if not isinstance(public_key, ed25519.Ed25519PublicKey):
            raise InvalidSignature
        public_key.verify(signature, bytes.fromhex(content_hash))
        result.facts.append(f"signed by {certificate.subject.rfc4514_string()}")
    except (InvalidSignature, ValueError, UnsupportedAlgorithm):
        result.problems.append("gateway signature invalid")
    for pem in ev.get("ca_certificates", []):
        try:
            certificate.verify_directly_issued_by(x509.load_pem_x509_certificate(pem.encode()))
            result.facts.append("gateway certificate issued by the enclosed CA")
            break
        except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
            continue
    try:
        seq = int(chain["seq"])
        expected = entry_hash(chain["prev_hash"], content_hash, seq)
        if expected != chain["entry_hash"]:
            result.problems.append("hash-chain link broken (entry hash)")
        if not int(batch["first_seq"]) <= seq <= int(batch["last_seq"]):
            result.problems.append("entry outside its batch")
        if seq == int(batch["last_seq"]) and batch["chain_head"] != chain["entry_hash"]:
            result.problems.append("batch chain head is not this entry")
        if merkle_fold(chain["entry_hash"], proof) != batch["merkle_root"]:
            result.problems.append("Merkle proof does not lead to the batch root")
        statement = batch_statement(
            first_seq=int(batch["first_seq"]),
            last_seq=int(batch["last_seq"]),
            merkle_root_hex=batch["merkle_root"],
            chain_head=batch["chain_head"],
        )
        info = timestamp_token_check(token, sha256_hex(canonical(statement)))
        result.facts.append(f"time-stamped {info.gen_time.isoformat()} by {info.tsa_subject}")
    except Exception as exc:  # untrusted input: any parse failure is a finding, not a crash
        # A damaged token may name a key type or an X.509 version ``cryptography`` does not know.
        result.problems.append(f"time-stamp or chain proof invalid: {exc}")
    return result
