"""The portal as an OpenID Connect client of VNeID (Decree 69/2024/NĐ-CP on electronic identification).

Authlib does the protocol: discovery, the authorization request with ``state``, ``nonce`` and PKCE (S256),
the code exchange, and the ID token's checks (RS256 signature against the provider's JWKS, ``iss``,
``aud``, ``nonce``, ``exp``/``iat``). Nothing here parses or verifies a token by hand; this module maps the
verified claims (``VneidIdentity``) and turns the library's exceptions into a reason we log and a message
the citizen reads. Pointed at the local simulator by default (``MOTCUA_VNEID_URL``)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from requests import RequestException

_lock = threading.Lock()
_registries: dict[tuple[str, str, str], Any] = {}


def vneid_redirect_uris() -> tuple[str, ...]:
    """The callback URIs registered at the provider for this site (MOTCUA_SITE_URL)."""
    site = settings.SITE_URL.rstrip("/")
    return (site + reverse("identity:vneid_callback"),)


def vneid_client() -> Any:
    """The Authlib client for the configured provider (one per URL and client id, cached per process:
    the discovery document and the JWKS are fetched once, and again when the key id changes)."""
    key = (settings.MOTCUA_VNEID_URL, settings.MOTCUA_VNEID_CLIENT_ID, settings.MOTCUA_VNEID_CLIENT_SECRET)
    with _lock:
        client = _registries.get(key)
        if client is None:
            oauth = OAuth()
            client = oauth.register(
                "vneid",
                client_id=key[1],
                client_secret=key[2],
                server_metadata_url=key[0].rstrip("/") + "/.well-known/openid-configuration",
                client_kwargs={"scope": "openid profile", "code_challenge_method": "S256", "timeout": 10},
            )
            _registries[key] = client
    return client


@dataclass(frozen=True)
class VneidIdentity:
    subject: str
    id_number: str
    full_name: str
    birth_date: str
    level: str


class VneidLoginError(Exception):
    """A refused login: ``reason`` (logged, stable) and ``message`` (Vietnamese, shown)."""

    def __init__(self, reason: str, message: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message
        self.detail = detail


# What we use when MOTCUA_VNEID_CLAIMS leaves a field out (config/settings.py; an assumption until the
# VNeID integration guide confirms the names, docs/identity-and-data.md).
DEFAULT_CLAIMS: dict[str, tuple[str, ...]] = {
    "subject": ("sub",),
    "id_number": ("so_dinh_danh",),
    "full_name": ("ho_va_ten", "name"),
    "birth_date": ("ngay_sinh", "birthdate"),
    "level": ("muc_do_dinh_danh", "acr"),
}


def vneid_claim_names() -> dict[str, tuple[str, ...]]:
    """Per field of ``VneidIdentity``: the claim names tried in order (settings, else the defaults)."""
    configured = getattr(settings, "MOTCUA_VNEID_CLAIMS", None) or {}
    return {field: tuple(configured.get(field) or ()) or default for field, default in DEFAULT_CLAIMS.items()}


def _claim(claims: dict[str, Any], names: tuple[str, ...]) -> str:
    for name in names:
        value = claims.get(name)
        if value not in (None, ""):
            return str(value)
    return ""


def _level(value: str) -> str:
    """The identification level as its number: "2", or a URI/label ending in it ("…/loa/2", "muc2")."""
    value = value.strip()
    if value.isdigit():
        return value
    tail = value.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    digits = "".join(ch for ch in tail if ch.isdigit())
    return digits if len(digits) == 1 else value


def identity_from_claims(claims: dict[str, Any]) -> VneidIdentity:
    """The verified claims as our fields, by the configured claim names (``vneid_claim_names``)."""
    names = vneid_claim_names()
    id_number = _claim(claims, names["id_number"])
    if len(id_number) != 12 or not id_number.isdigit():
        raise VneidLoginError(
            "missing_claim",
            _("Tài khoản định danh điện tử không cung cấp số định danh cá nhân hợp lệ."),
            f"{'/'.join(names['id_number'])}={id_number!r}",
        )
    return VneidIdentity(
        subject=_claim(claims, names["subject"]),
        id_number=id_number,
        full_name=_claim(claims, names["full_name"]),
        birth_date=_claim(claims, names["birth_date"]),
        level=_level(_claim(claims, names["level"])),
    )


def _refused(reason: str, detail: str) -> VneidLoginError:
    messages = {
        "bad_signature": _("Chữ ký của mã thông báo định danh không hợp lệ. Đăng nhập bị từ chối."),
        "wrong_audience": _(
            "Mã thông báo định danh không cấp cho cổng dịch vụ công này. Đăng nhập bị từ chối."
        ),
        "wrong_nonce": _(
            "Mã thông báo định danh không khớp với yêu cầu đăng nhập (nonce). Đăng nhập bị từ chối."
        ),
        "wrong_issuer": _("Mã thông báo định danh không do VNeID cấp. Đăng nhập bị từ chối."),
        "expired": _("Mã thông báo định danh đã hết hạn. Vui lòng đăng nhập lại."),
        "invalid_token": _("Mã thông báo định danh không hợp lệ. Đăng nhập bị từ chối."),
        "provider_error": _("VNeID từ chối hoặc không hoàn tất đăng nhập. Vui lòng thử lại."),
        "unavailable": _("Không kết nối được với hệ thống định danh điện tử VNeID. Vui lòng thử lại sau."),
    }
    return VneidLoginError(reason, messages.get(reason, messages["invalid_token"]), detail)


def vneid_identity_from_callback(request: Any) -> VneidIdentity:
    """Exchange the code of this callback request and return the verified identity, or raise
    ``VneidLoginError`` with the reason the token was refused."""
    try:
        token = vneid_client().authorize_access_token(request)
    except BadSignatureError as exc:
        raise _refused("bad_signature", str(exc)) from exc
    except ExpiredTokenError as exc:
        raise _refused("expired", str(exc)) from exc
    except (InvalidClaimError, MissingClaimError) as exc:
        claim = getattr(exc, "claim", "")
        reason = {
            "aud": "wrong_audience",
            "azp": "wrong_audience",
            "nonce": "wrong_nonce",
            "iss": "wrong_issuer",
        }
        reason_for = reason.get(claim, "expired" if claim in ("exp", "iat") else "invalid_token")
        raise _refused(reason_for, str(exc)) from exc
    except (ClaimError, JoseError, ValueError) as exc:
        raise _refused("invalid_token", str(exc)) from exc
    except OAuthError as exc:
        raise _refused("provider_error", f"{exc.error}: {exc.description}") from exc
    except RequestException as exc:
        raise _refused("unavailable", str(exc)) from exc
    userinfo = token.get("userinfo")
    if not userinfo:
        raise _refused("invalid_token", "no id_token in the token response")
    return identity_from_claims(dict(userinfo))
