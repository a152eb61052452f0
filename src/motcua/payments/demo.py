"""Payments in the demo province: who reconciles, and the procedure to try online payment with.

Reconciling and refunding is a grant (``payments.reconcile_payments``) that goes with a job, not with a
one-stop role: it is given through the group ``RECONCILERS_GROUP``, so an administrator adds or removes a
person in /admin/ without touching permissions one by one. In the demo the group holds the clerk of the
provincial Public Administration Service Centre, where fees are collected."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import Group, Permission

RECONCILERS_GROUP = "Đối soát, hoàn phí thanh toán"
DEMO_RECONCILERS = ("binh",)
# A demo procedure whose online fee line is above zero and carries its legal basis (demo catalogue):
# submitted online, it leads the citizen to the payment simulator.
FEE_PROCEDURE = "3.000333.000.00.00.H99"


def reconcilers_group() -> Group:
    """The group that holds the reconciliation permission (created if missing; idempotent)."""
    group, _ = Group.objects.get_or_create(name=RECONCILERS_GROUP)
    permission = Permission.objects.get(content_type__app_label="payments", codename="reconcile_payments")
    group.permissions.add(permission)
    return group


def load_demo_payments() -> list[str]:
    """Put the demo reconcilers in the group; returns their usernames (for the printed logins)."""
    from motcua.accounts.models import User

    group = reconcilers_group()
    users = list(User.objects.filter(username__in=DEMO_RECONCILERS))
    group.user_set.add(*users)
    return [u.username for u in users]


def demo_fee_procedure() -> tuple[str, str, int] | None:
    """(code, name, online amount in đồng) of the demo procedure to pay online, if it is in force."""
    from motcua.catalog.models import Channel, ProcedureVersion

    version = (
        ProcedureVersion.objects.filter(procedure__local_code=FEE_PROCEDURE)
        .order_by("-effective_from")
        .prefetch_related("fees")
        .first()
    )
    if version is None:
        return None
    amount = sum((f.amount for f in version.fees.all() if f.channel in ("", Channel.ONLINE)), Decimal(0))
    return (FEE_PROCEDURE, version.name, int(amount))
