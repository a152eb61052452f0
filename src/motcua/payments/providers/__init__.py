"""The payment platform behind a small interface, so that a province's own gateway can be added next to
the national platform's VNPay-style protocol: write a class with these methods, register it under a code
(``provider_register``) and set ``MOTCUA_PAYMENT_PROVIDER`` to that code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from django.conf import settings

if TYPE_CHECKING:
    from motcua.payments.models import PaymentOrder


class ProviderUnavailableError(Exception):
    """The platform did not answer (down, timeout, garbage): nothing changed on our side."""


@dataclass(frozen=True)
class Notification:
    """A server-to-server payment notification whose signature checked."""

    txn_ref: str
    amount: int  # đồng
    success: bool
    provider_txn_no: str
    bank_code: str = ""
    response_code: str = ""
    raw: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class QueryResult:
    found: bool
    paid: bool
    amount: int = 0
    provider_txn_no: str = ""
    status: str = ""


@dataclass(frozen=True)
class SettlementItem:
    txn_ref: str
    provider_txn_no: str
    kind: str  # "payment" or "refund"
    amount: int  # đồng


class PaymentProvider(Protocol):
    code: str
    channel: str  # a PaymentChannel value: where the national index counts the payment

    def checkout_url(self, *, order: PaymentOrder, return_url: str, client_ip: str) -> str:
        """Where to send the payer's browser to pay ``order``."""
        ...

    def notification_verify(self, params: dict[str, str]) -> Notification | None:
        """The notification if its signature checks, else None."""
        ...

    def notification_answer(self, code: str, message: str) -> dict[str, str]:
        """The body the platform expects in reply to a notification."""
        ...

    def query(self, *, order: PaymentOrder) -> QueryResult: ...

    def refund(self, *, order: PaymentOrder, amount: int, actor: str) -> bool:
        """Ask the platform to return ``amount`` đồng; True when it accepted."""
        ...

    def settlement(self, *, day: dt.date) -> list[SettlementItem]:
        """The platform's settlement file for a day (Vietnam time)."""
        ...


_factories: dict[str, Callable[[], PaymentProvider]] = {}


def provider_register(code: str, factory: Callable[[], PaymentProvider]) -> None:
    _factories[code] = factory


def provider() -> PaymentProvider:
    """The provider configured by ``MOTCUA_PAYMENT_PROVIDER`` (settings read on each call: tests switch)."""
    from motcua.payments.providers import vnpay  # noqa: F401 - registers itself

    code = settings.MOTCUA_PAYMENT_PROVIDER
    try:
        return _factories[code]()
    except KeyError:
        raise RuntimeError(f"unknown payment provider {code!r}") from None
