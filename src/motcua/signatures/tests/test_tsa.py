"""The local RFC 3161 time-stamp authority: real HTTP round-trips from pyHanko's client, signatures whose
time-stamp validates, and protocol-level refusals. The server runs on 127.0.0.1 in a thread."""

from __future__ import annotations

import asyncio
import hashlib
import io
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from asn1crypto import algos, tsp
from django.core.management import CommandError, call_command
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign.timestamps import DummyTimeStamper, HTTPTimeStamper

from motcua.signatures.signing import PkiFiles, SigningError, SoftwareSigner, timestamper_for, tsa_credentials
from motcua.signatures.verification import pdf_verify
from motcua.simulators.tsa import TimeStampAuthority, _RejectionResp, tsa_serve_in_thread, tsa_server


def blank_pdf() -> bytes:
    writer = PdfFileWriter()
    name = generic.pdf_name
    writer.insert_page(
        generic.DictionaryObject(
            {
                name("/Type"): name("/Page"),
                name("/MediaBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)]),
                name("/Resources"): generic.DictionaryObject(),
                name("/Contents"): writer.add_object(generic.StreamObject(stream_data=b"")),
            }
        )
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def authority(pki_dir: Path) -> TimeStampAuthority:
    cert, key, chain = tsa_credentials(PkiFiles(pki_dir))
    return TimeStampAuthority(tsa_cert=cert, tsa_key=key, chain=chain)


@pytest.fixture(scope="module")
def tsa_url(authority: TimeStampAuthority) -> Iterator[str]:
    server = tsa_server(authority=authority, port=0)
    tsa_serve_in_thread(server)
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _post(url: str, body: bytes, content_type: str = "application/timestamp-query") -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 — our local server
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


def test_the_tsa_answers_pyhankos_http_client_with_a_token_over_the_digest(
    tsa_url: str, authority: TimeStampAuthority
) -> None:
    digest = hashlib.sha256(b"Giay phep so 01/GP-SVHTTDL").digest()
    before = authority.granted
    token = asyncio.run(HTTPTimeStamper(tsa_url).async_timestamp(digest, "sha256"))
    tst_info = token["content"]["encap_content_info"]["content"].parsed
    assert tst_info["message_imprint"]["hashed_message"].native == digest
    signer_certs = [c.chosen for c in token["content"]["certificates"]]
    assert any("Motcua Demo TSA" in c.subject.human_friendly for c in signer_certs)
    assert authority.granted == before + 1


def test_a_signature_stamped_over_http_validates_with_a_trusted_timestamp(
    tsa_url: str, pki_dir: Path, authority: TimeStampAuthority, settings
) -> None:
    settings.MOTCUA_TSA_URL = tsa_url
    pki = PkiFiles(pki_dir)
    assert isinstance(timestamper_for(pki), HTTPTimeStamper)
    before = authority.granted
    signed = SoftwareSigner(pki=pki, name="dung").sign(
        pdf=blank_pdf(), reason="Phê duyệt", location="Minh Sơn", field_name="ChuKyLanhDao"
    )
    assert authority.granted > before  # the token came over HTTP from our server
    report = pdf_verify(
        pdf=signed,
        trust_roots=[pki_dir / "root.crt.pem"],
        intermediates=[pki_dir / "issuing.crt.pem"],
        crls=sorted(pki_dir.glob("*.crl.der")),
    )
    signature = report["signatures"][0]
    assert report["all_valid"]
    assert signature["timestamp"] is not None
    assert signature["timestamp_trusted"]


def test_without_a_tsa_url_the_in_process_authority_signs_time_stamps(pki_dir: Path, settings) -> None:
    settings.MOTCUA_TSA_URL = ""
    assert isinstance(timestamper_for(PkiFiles(pki_dir)), DummyTimeStamper)


def test_an_unreachable_tsa_makes_signing_fail_with_a_clear_error(pki_dir: Path, settings) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: the connection is refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.MOTCUA_TSA_URL = f"http://127.0.0.1:{port}/"
    with pytest.raises(SigningError, match="Không ký được"):
        SoftwareSigner(pki=PkiFiles(pki_dir), name="dung").sign(
            pdf=blank_pdf(), reason="r", location="l", field_name="ChuKyLanhDao"
        )


def test_malformed_queries_are_refused_inside_the_protocol(tsa_url: str) -> None:
    status, content_type, body = _post(tsa_url, b"not a time-stamp query")
    assert (status, content_type) == (200, "application/timestamp-reply")
    answer = _RejectionResp.load(body)["status"].native
    assert answer["status"] == "rejection"
    assert answer["fail_info"] == {"bad_data_format"}


def test_weak_hash_algorithms_are_refused(tsa_url: str) -> None:
    query = tsp.TimeStampReq(
        {
            "version": 1,
            "message_imprint": tsp.MessageImprint(
                {
                    "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha1"}),
                    "hashed_message": hashlib.sha1(b"x").digest(),  # noqa: S324 — the weak hash under test
                }
            ),
            "cert_req": True,
        }
    )
    status, _, body = _post(tsa_url, query.dump())
    assert status == 200
    assert _RejectionResp.load(body)["status"].native["fail_info"] == {"bad_alg"}


def test_other_content_types_and_empty_bodies_are_http_errors(tsa_url: str) -> None:
    assert _post(tsa_url, b"{}", "application/json")[0] == 415
    assert _post(tsa_url, b"")[0] == 400
    with urllib.request.urlopen(tsa_url, timeout=5) as response:  # noqa: S310 — our local server
        assert b"Motcua Demo TSA" in response.read()


def test_tsa_serve_needs_the_demo_pki(settings, tmp_path: Path) -> None:
    settings.MOTCUA_PKI_DIR = str(tmp_path)
    with pytest.raises(CommandError, match="pki demo"):
        call_command("tsa", "serve", "--port", "0")
