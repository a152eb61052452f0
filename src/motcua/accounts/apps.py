from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "motcua.accounts"
    label = "accounts"
    verbose_name = _("Tài khoản và vai trò")

    def ready(self) -> None:
        # Lower apps (agencies' admin) ask core.access for a user's scope without importing accounts.
        from motcua.accounts.selectors import admin_agency_ids
        from motcua.core.access import agency_scope_provider_set

        agency_scope_provider_set(admin_agency_ids)
        # core.auth (API tokens) asks the people rules through core.access, for the same reason.
        from motcua.accounts.selectors import users_for_admin
        from motcua.accounts.twofactor import two_factor_required
        from motcua.core.access import people_rules_set

        people_rules_set(two_factor_required=two_factor_required, users_for_admin=users_for_admin)
