"""The message log as evidence: sealed, chained, batch-stamped by the RFC 3161 TSA; one exchange exported
verifies offline, and a flipped byte or a deleted entry is detected."""

from __future__ import annotations

import base64
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from motcua.gateway.evidence import evidence_verify
from motcua.gateway.models import MessageLog, StampBatch
from motcua.gateway.services import chain_verify, evidence_build, log_seal_and_stamp
from motcua.testing.gateway import GatewayForTests


def _traffic(gw: GatewayForTests, count: int = 5) -> None:
    token = gw.token()
    for i in range(count):
        status, _, _ = gw.call(
            "echo", f"items/{i}", token=token, method="POST", body=b'{"n": %d}' % i, message_id=f"msg-{i}"
        )
        assert status == 200
    gw.call("echo", "x", token="forged", message_id="refused-1")  # refusals are logged and chained too


def test_log_is_chained_and_stamped_in_one_batch(gw: GatewayForTests) -> None:
    _traffic(gw)
    counts = log_seal_and_stamp()
    assert counts == {"entries": 6, "stamped": 1}
    batch = StampBatch.objects.get()
    assert (batch.first_seq, batch.last_seq) == (1, 6)
    assert batch.token
    assert batch.stamped_at is not None
    seqs = list(MessageLog.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == [1, 2, 3, 4, 5, 6]
    assert chain_verify().intact
    # Later traffic makes a second batch that continues the chain.
    gw.call("echo", "more", token=gw.token(), message_id="msg-more")
    assert log_seal_and_stamp() == {"entries": 1, "stamped": 1}
    later = MessageLog.objects.get(message_id="msg-more")
    assert later.seq == 7
    assert later.prev_hash == MessageLog.objects.get(seq=6).entry_hash


def test_evidence_exports_and_verifies_offline(gw: GatewayForTests, tmp_path: Path) -> None:
    _traffic(gw)
    log_seal_and_stamp()
    out = tmp_path / "ev.json"
    call_command(
        "gateway", "evidence", "export", "--message", "msg-2", "--output", str(out), stdout=StringIO()
    )
    data = json.loads(out.read_text())
    assert data["record"]["message_id"] == "msg-2"
    assert data["merkle_proof"]
    stdout = StringIO()
    call_command("gateway", "evidence", "verify", str(out), stdout=stdout)
    assert "Evidence intact." in stdout.getvalue()
    assert "time-stamped" in stdout.getvalue()


def test_one_flipped_byte_is_detected(gw: GatewayForTests, tmp_path: Path) -> None:
    _traffic(gw)
    log_seal_and_stamp()
    good = json.dumps(evidence_build(message_id="msg-3")).encode()
    assert evidence_verify(good).intact
    # Flip one byte inside the response body, the record, the signature and the token in turn.
    data = json.loads(good)
    for fieldname in ("response_body", "content_hash", "signature", "timestamp_token"):
        value = data[fieldname]
        position = len(value) // 2
        flipped = value[:position] + ("A" if value[position] != "A" else "B") + value[position + 1 :]
        assert not evidence_verify(json.dumps({**data, fieldname: flipped}).encode()).intact, fieldname
    tampered_record = {**data, "record": {**data["record"], "status": 201}}
    assert not evidence_verify(json.dumps(tampered_record).encode()).intact
    # Any single byte of the file: the command exits 1.
    raw = bytearray(good)
    raw[len(raw) // 3] ^= 0x01
    path = tmp_path / "flipped.json"
    path.write_bytes(bytes(raw))
    with pytest.raises(SystemExit) as exited:
        call_command("gateway", "evidence", "verify", str(path), stdout=StringIO(), stderr=StringIO())
    assert exited.value.code == 1


def test_deleted_entry_breaks_the_chain(gw: GatewayForTests) -> None:
    _traffic(gw)
    log_seal_and_stamp()
    MessageLog.objects.filter(message_id="msg-2").delete()
    result = chain_verify()
    assert not result.intact
    assert any("missing" in problem for problem in result.problems)
    with pytest.raises(SystemExit) as exited:
        call_command("gateway", "verify-chain", stdout=StringIO(), stderr=StringIO())
    assert exited.value.code == 1


def test_altered_entry_in_the_database_is_detected(gw: GatewayForTests) -> None:
    _traffic(gw)
    log_seal_and_stamp()
    MessageLog.objects.filter(message_id="msg-1").update(response_body=b'{"forged": true}')
    assert any("content altered" in p for p in chain_verify().problems)


def test_unstamped_message_cannot_be_exported_yet(gw: GatewayForTests) -> None:
    from motcua.core.errors import ConflictError

    _traffic(gw, 1)
    with pytest.raises(ConflictError):
        evidence_build(message_id="msg-0")


def test_a_flipped_byte_anywhere_in_the_token_is_a_finding_never_a_crash(gw: GatewayForTests) -> None:
    """The fresh-clone run of session 8 flipped a byte of the token's certificate that made its key type
    unknown: ``cryptography`` raised UnsupportedAlgorithm out of the verifier instead of a finding."""
    _traffic(gw)
    log_seal_and_stamp()
    data = json.loads(json.dumps(evidence_build(message_id="msg-3")))
    token = base64.b64decode(data["timestamp_token"])
    positions = range(0, len(token), 3)
    detected = 0
    for position in positions:
        flipped = bytearray(token)
        flipped[position] ^= 0x01
        tampered = {**data, "timestamp_token": base64.b64encode(bytes(flipped)).decode()}
        detected += not evidence_verify(json.dumps(tampered).encode()).intact  # raises nothing
    # Every flip was answered with a verdict. (About half are found: bytes of the enclosed TSA certificate
    # outside the key are not covered by the token's signature — left for issue follow-up, see notes.)
    assert 0 < detected < len(positions)
