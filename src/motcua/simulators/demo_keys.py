"""Demo signing keys parsed once: the in-process demo time-stamp authority (tests, benchmarks, ``motcua tsa
serve``) and the memo the demo key-file signer uses. pyHanko and cryptography only, so that both the
signatures app and the stand-alone TSA simulator can use it without importing each other."""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from typing import Any

from cryptography.hazmat.primitives import serialization
from pyhanko.sign.timestamps import DummyTimeStamper

_KEY_MEMO_LOCK = threading.RLock()
_load_der_private_key = serialization.load_der_private_key


@functools.lru_cache(maxsize=32)
def _der_private_key_parsed(data: bytes, password: bytes | None) -> Any:
    return _load_der_private_key(data, password)


@contextlib.contextmanager
def parsed_keys_memoised() -> Iterator[None]:
    """pyHanko parses the DER private key on every raw signature and every demo time-stamp, and cryptography
    re-validates an RSA key on each parse (~40–120 ms here; stack.md §3). Parsing is a pure function of the
    bytes, so while one of *our* demo keys signs, pyHanko's call is served from a small memo: it turns ~7
    signatures/s into ~25. Scoped to the call (never the whole process) and serialised by a lock, so no
    other code ever sees the substitute."""

    def load_der_private_key(data: bytes, password: bytes | None = None, **kwargs: Any) -> Any:
        if kwargs:
            return _load_der_private_key(data, password, **kwargs)
        return _der_private_key_parsed(bytes(data), password)

    with _KEY_MEMO_LOCK:
        serialization.load_der_private_key = load_der_private_key  # type: ignore[assignment]
        try:
            yield
        finally:
            serialization.load_der_private_key = _load_der_private_key


class DemoTimeStamper(DummyTimeStamper):
    """The in-process demo TSA (tests, benchmarks, ``motcua tsa serve``) with its key parsed once."""

    def request_tsa_response(self, req: Any) -> Any:
        with parsed_keys_memoised():
            return super().request_tsa_response(req)
