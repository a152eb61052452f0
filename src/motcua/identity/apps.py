from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "motcua.identity"
    label = "identity"
    verbose_name = _("Định danh và dữ liệu cá nhân")

    def ready(self) -> None:
        from motcua.accounts.login_policy import password_login_policy_set
        from motcua.dossiers.personal_data import document_store_set, personal_data_reads_set
        from motcua.gateway.personal_data import gateway_reads_set
        from motcua.identity.services import (
            DossierReadsToAccessRecord,
            GatewayReadsToAccessRecord,
            citizen_password_login_allowed,
        )
        from motcua.identity.store import StoreForDossiers

        # Staff reads of dossiers become the citizen's "who used my data" rows (dossiers.personal_data).
        personal_data_reads_set(DossierReadsToAccessRecord())
        # A client system's read of a citizen's data through the gateway (LGSP) becomes a row too.
        gateway_reads_set(GatewayReadsToAccessRecord())
        # The submission form offers the citizen's store documents (once-only) and asks about VNeID.
        document_store_set(StoreForDossiers())
        # The administrator's switch: password login for citizens on or off (VNeID only).
        password_login_policy_set(citizen_password_login_allowed)
