from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "motcua.identity"
    label = "identity"
    verbose_name = _("Định danh và dữ liệu cá nhân")

    def ready(self) -> None:
        from motcua.dossiers.personal_data import personal_data_reads_set
        from motcua.identity.services import DossierReadsToAccessRecord

        # Staff reads of dossiers become the citizen's "who used my data" rows (dossiers.personal_data).
        personal_data_reads_set(DossierReadsToAccessRecord())
