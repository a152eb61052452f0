"""The port through which a read of a citizen's personal data by another system, through the gateway, reaches
the citizen's "who used my data" record (Law 91/2025/QH15, Decree 356/2025). ``gateway`` owns the interface
and finds whose data an exchange carried; the ``identity`` app, above it, registers the recorder at start-up
(``IdentityConfig.ready``), like ``dossiers.personal_data``. Without one (or in a test that installs none)
the gateway's own signed message log is the only record.

What is recorded: an exchange with a service flagged ``personal_data`` that the provider answered (2xx), by a
client other than this system's own (``MOTCUA_GATEWAY_CLIENT_ID``: its reads are recorded where they happen,
with the official and the dossier — ``national.access``, kind ``national_db`` — so a look-up is one row in
the citizen's list, not two). A message id answered again from the log is the same exchange, not a new read.

Whose data: the values of the fields named in ``MOTCUA_GATEWAY_SUBJECT_FIELDS`` (personal ID numbers: 9 or
12 digits) and ``MOTCUA_GATEWAY_DOSSIER_FIELDS`` (dossier codes, resolved by the recorder to the dossier's
applicant and submitter), wherever they occur in the request's query string and JSON body and in the JSON
answer. The defaults name the fields of the national systems' messages (C06 ``SoDinhDanh``, DVCQG
``MaHoSo``); a province adds the field names of its own services by setting, not by code.

An official's download of an exchange's evidence (``/lgsp/nhat-ky/<id>/bang-chung/``: the bodies are in
it) is a read too: ``evidence_read_record``, kind staff, inside the download's transaction.

Contract: ``gateway_read_record`` runs after the answer is logged, in the gateway's connection; it MUST NOT
raise for a read whose subjects it cannot resolve (a dossier code it does not hold)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings

logger = logging.getLogger(__name__)

DEFAULT_SUBJECT_FIELDS = (
    "SoDinhDanh",
    "soDinhDanh",
    "SoCCCD",
    "soCCCD",
    "so_dinh_danh",
    "id_number",
    "ChuHoSo_SoDinhDanh",
    "SoDinhDanhNguoiNop",
)
DEFAULT_DOSSIER_FIELDS = ("MaHoSo", "maHoSo", "ma_ho_so", "dossier_code")


@dataclass(frozen=True)
class GatewayRead:
    """One exchange through the gateway that carried personal data to a client system."""

    at: dt.datetime
    message_id: str
    client_id: str
    member_code: str
    member_name: str
    service_code: str
    service_name: str
    method: str
    path: str
    purpose: str
    subject_id_numbers: tuple[str, ...]
    dossier_codes: tuple[str, ...]


class GatewayReads(Protocol):
    def gateway_read_record(self, read: GatewayRead) -> None:
        """Record that the client system read the personal data of the read's subjects."""
        ...

    def evidence_read_record(self, read: GatewayRead, *, user: Any, reader: str) -> None:
        """Record that an official (``user``, ``reader`` their name) took the evidence of the exchange
        (which holds its bodies) from the message log page: a staff read of the subjects' data."""
        ...


_reads: GatewayReads | None = None


def gateway_reads_set(reads: GatewayReads | None) -> None:
    global _reads
    _reads = reads


def gateway_reads() -> GatewayReads | None:
    return _reads


def _names(setting: str, default: tuple[str, ...]) -> frozenset[str]:
    value = getattr(settings, setting, None)
    return frozenset(value) if value else frozenset(default)


def _pairs(value: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) of a JSON document, at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key), item
            yield from _pairs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _pairs(item)


def _json(body: bytes, content_type: str) -> Any:
    if not body or (content_type and "json" not in content_type.lower()):
        return None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


def _is_id_number(value: str) -> bool:
    return value.isdigit() and len(value) in (9, 12)


def subjects_of(
    *, query: str, request_body: bytes, request_type: str, response_body: bytes, response_type: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(personal ID numbers, dossier codes) that an exchange names, in order of first appearance."""
    id_fields = _names("MOTCUA_GATEWAY_SUBJECT_FIELDS", DEFAULT_SUBJECT_FIELDS)
    dossier_fields = _names("MOTCUA_GATEWAY_DOSSIER_FIELDS", DEFAULT_DOSSIER_FIELDS)
    pairs: list[tuple[str, Any]] = list(urllib.parse.parse_qsl(query, keep_blank_values=False))
    for document in (_json(request_body, request_type), _json(response_body, response_type)):
        pairs.extend(_pairs(document))
    ids: dict[str, None] = {}
    codes: dict[str, None] = {}
    for key, value in pairs:
        if not isinstance(value, str | int) or isinstance(value, bool):
            continue
        text = str(value).strip()
        if key in id_fields and _is_id_number(text):
            ids[text] = None
        elif key in dossier_fields and text and len(text) <= 40:
            codes[text] = None
    return tuple(ids), tuple(codes)


def own_client_ids() -> Iterable[str]:
    return (str(getattr(settings, "MOTCUA_GATEWAY_CLIENT_ID", "") or ""),)
